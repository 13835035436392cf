"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";

const ROLES = ["viewer", "developer", "approver", "admin"] as const;
interface User {
  id: string;
  username: string;
  role: string;
  disabled: boolean;
}

export function UserAdmin({ currentUserId }: { currentUserId: string }) {
  const client = useQueryClient();
  const users = useQuery({ queryKey: ["users"], queryFn: () => api<{ items: User[] }>("/api/users") });
  const [form, setForm] = useState({ username: "", password: "", role: "viewer" });
  const refresh = () => void client.invalidateQueries({ queryKey: ["users"] });
  const create = useMutation({
    mutationFn: () => api("/api/users", { method: "POST", body: form }),
    onSuccess: () => {
      setForm({ username: "", password: "", role: "viewer" });
      refresh();
    },
  });
  const update = useMutation({
    mutationFn: (v: { id: string; role?: string; disabled?: boolean }) =>
      api(`/api/users/${v.id}`, { method: "PATCH", body: { role: v.role, disabled: v.disabled } }),
    onSuccess: refresh,
  });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Users</h1>
      <form
        className="flex flex-wrap items-end gap-3 rounded border border-slate-200 bg-white p-4 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <label>
          Username
          <input
            name="new-username"
            className="mt-1 block rounded border border-slate-300 px-2 py-1.5"
            value={form.username}
            onChange={(e) => setForm({ ...form, username: e.target.value })}
            required
          />
        </label>
        <label>
          Password
          <input
            name="new-password"
            type="password"
            autoComplete="new-password"
            className="mt-1 block rounded border border-slate-300 px-2 py-1.5"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
            required
          />
        </label>
        <label>
          Role
          <select
            name="new-role"
            className="mt-1 block rounded border border-slate-300 px-2 py-1.5"
            value={form.role}
            onChange={(e) => setForm({ ...form, role: e.target.value })}
          >
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <Button type="submit" disabled={create.isPending}>
          Create user
        </Button>
      </form>
      <ErrorBox error={create.error ?? update.error ?? users.error} />
      <table className="w-full rounded border border-slate-200 bg-white text-sm">
        <thead className="bg-slate-100 text-left">
          <tr>
            <th className="px-3 py-2">User</th>
            <th className="px-3 py-2">Role</th>
            <th className="px-3 py-2">State</th>
          </tr>
        </thead>
        <tbody>
          {(users.data?.items ?? []).map((u) => (
            <tr key={u.id} className="border-t border-slate-100">
              <td className="px-3 py-2">{u.username}</td>
              <td className="px-3 py-2">
                <select
                  value={u.role}
                  disabled={u.id === currentUserId}
                  onChange={(e) => update.mutate({ id: u.id, role: e.target.value })}
                  className="rounded border border-slate-300 px-1 py-0.5"
                >
                  {ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              </td>
              <td className="px-3 py-2">
                {u.id !== currentUserId && (
                  <Button variant="secondary" onClick={() => update.mutate({ id: u.id, disabled: !u.disabled })}>
                    {u.disabled ? "Enable" : "Disable"}
                  </Button>
                )}
                {u.disabled && <span className="ml-2 text-rose-700">disabled</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
