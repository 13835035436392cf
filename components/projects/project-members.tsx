"use client";
// Roles on a project: each applies to every application of the project.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";

const ROLES = ["viewer", "developer", "approver", "admin"] as const;
interface Member {
  userId: string;
  username: string;
  role: string;
}

export function ProjectMembers({ projectId }: { projectId: string }) {
  const client = useQueryClient();
  const key = ["projects", projectId, "members"];
  const members = useQuery({ queryKey: key, queryFn: () => api<{ items: Member[] }>(`/api/projects/${projectId}/members`) });
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<string>("developer");
  const refresh = () => void client.invalidateQueries({ queryKey: key });
  const add = useMutation({
    mutationFn: () => api(`/api/projects/${projectId}/members`, { method: "POST", body: { username, role } }),
    onSuccess: () => {
      setUsername("");
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: (userId: string) => api(`/api/projects/${projectId}/members/${userId}`, { method: "DELETE" }), onSuccess: refresh });
  return (
    <div className="space-y-1 border-t border-slate-100 pt-3" data-testid="project-members">
      <h3 className="font-medium">Members</h3>
      <ul>
        {(members.data?.items ?? []).map((m) => (
          <li key={m.userId} className="flex items-center gap-2 py-0.5">
            <span>{m.username}</span>
            <span className="rounded bg-slate-100 px-1.5 text-xs">{m.role}</span>
            <button type="button" className="text-xs text-rose-700 hover:underline" onClick={() => remove.mutate(m.userId)}>
              remove
            </button>
          </li>
        ))}
        {members.data?.items.length === 0 && <li className="text-slate-500">Nobody beyond global roles.</li>}
      </ul>
      <form
        className="flex flex-wrap items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <input
          aria-label="Member username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          placeholder="username"
          className="rounded border border-slate-300 px-2 py-1"
          required
        />
        <select aria-label="Role on this project" value={role} onChange={(e) => setRole(e.target.value)} className="rounded border border-slate-300 px-2 py-1">
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
        <Button type="submit" disabled={add.isPending}>
          Grant
        </Button>
      </form>
      <ErrorBox error={members.error ?? add.error ?? remove.error} />
    </div>
  );
}
