"use client";
import { api } from "./api";

export function SignOutButton() {
  return (
    <button
      className="text-slate-600 hover:text-slate-900"
      onClick={async () => {
        await api("/api/auth/logout", { method: "POST" }).catch(() => {});
        window.location.href = "/login";
      }}
    >
      Sign out
    </button>
  );
}
