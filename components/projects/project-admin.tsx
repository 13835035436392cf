"use client";
// The Projects page: every project with its rules and members, and a form for a new one.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";
import { ProjectEditor } from "./project-editor";
import type { Project } from "./types";

export function ProjectAdmin() {
  const client = useQueryClient();
  const projects = useQuery({ queryKey: ["projects"], queryFn: () => api<{ items: Project[] }>("/api/projects") });
  const [name, setName] = useState("");
  const create = useMutation({
    // A new project starts closed: no sources or destinations until an admin adds them.
    mutationFn: () => api("/api/projects", { method: "POST", body: { name } }),
    onSuccess: () => {
      setName("");
      void client.invalidateQueries({ queryKey: ["projects"] });
    },
  });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Projects</h1>
      <p className="text-sm text-slate-600">
        A project says which repositories and folders its applications&apos; environments may render, where they may deploy, and which cluster-scoped kinds they
        may apply (none unless listed). Roles granted on a project apply to all of its applications.
      </p>
      <form
        className="flex items-end gap-3 rounded border border-slate-200 bg-white p-4 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <label>
          New project
          <input
            name="project-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="team-payments"
            className="mt-1 block rounded border border-slate-300 px-2 py-1.5"
            required
          />
        </label>
        <Button type="submit" disabled={create.isPending}>
          Create project
        </Button>
      </form>
      <ErrorBox error={create.error ?? projects.error} />
      {(projects.data?.items ?? []).map((p) => (
        <ProjectEditor key={p.id} project={p} />
      ))}
    </div>
  );
}
