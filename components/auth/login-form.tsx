"use client";
import { useEffect, useState } from "react";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";

export function LoginForm({ sso }: { sso: boolean }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    if (params.get("error") === "credentials") setError(new Error("Wrong username or password (after repeated failures an account is locked for a while)"));
    if (params.get("error") === "rate_limited") setError(new Error("Too many failed sign-ins from your address; try again later"));
    if (params.get("sso_error")) setError(new Error(params.get("sso_error")!));
  }, []);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api("/api/auth/login", { method: "POST", body: { username, password } });
      window.location.href = "/";
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <main className="flex min-h-screen items-center justify-center">
      <form method="post" action="/api/auth/login" onSubmit={submit} className="w-80 space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold">Sign in to Tideline</h1>
        <ErrorBox error={error} />
        <label className="block text-sm">
          Username
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5"
            required
          />
        </label>
        <label className="block text-sm">
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            className="mt-1 w-full rounded border border-slate-300 px-2 py-1.5"
            required
          />
        </label>
        <Button type="submit" disabled={busy} className="w-full">
          {busy ? "Signing in…" : "Sign in"}
        </Button>
        {sso && (
          <a href="/api/auth/oidc/login" className="block rounded border border-slate-300 px-3 py-1.5 text-center text-sm font-medium hover:bg-slate-100">
            Sign in with single sign-on
          </a>
        )}
      </form>
    </main>
  );
}
