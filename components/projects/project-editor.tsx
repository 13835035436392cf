"use client";
// A project's rules (row editors, saved together) and its members.
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { api } from "../api";
import { Button, ErrorBox } from "../ui";
import { RuleRows, type Row } from "./rule-rows";
import { ProjectMembers } from "./project-members";
import type { Project } from "./types";

const KIND = [
  { key: "group", label: "group", placeholder: 'API group ("" core, * any)' },
  { key: "kind", label: "kind", placeholder: "Kind (e.g. ClusterRole, *)" },
];

const rulesOf = (project: Project) => ({
  description: project.description ?? "",
  sourceRepos: project.sourceRepos as Row[],
  destinations: project.destinations as Row[],
  clusterResourceWhitelist: project.clusterResourceWhitelist as Row[],
  namespaceResourceBlacklist: project.namespaceResourceBlacklist as Row[],
});

export function ProjectEditor({ project }: { project: Project }) {
  const client = useQueryClient();
  const [rules, setRules] = useState(() => rulesOf(project));
  // A refetch (another admin's save, window focus) shows the server's rules, unless this form has unsaved edits.
  const [baseline, setBaseline] = useState(() => JSON.stringify(rulesOf(project)));
  const server = JSON.stringify(rulesOf(project));
  if (server !== baseline) {
    if (JSON.stringify(rules) === baseline) setRules(rulesOf(project));
    setBaseline(server);
  }
  const refresh = () => void client.invalidateQueries({ queryKey: ["projects"] });
  const save = useMutation({
    mutationFn: () => api<{ project: Project }>(`/api/projects/${project.id}`, { method: "PATCH", body: { ...rules, description: rules.description || null } }),
    // The form shows the rules as stored (trimmed, defaults filled in).
    onSuccess: (d) => {
      setRules(rulesOf(d.project));
      setBaseline(JSON.stringify(rulesOf(d.project)));
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: () => api(`/api/projects/${project.id}`, { method: "DELETE" }), onSuccess: refresh });
  return (
    <section className="space-y-3 rounded border border-slate-200 bg-white p-4 text-sm" data-testid={`project-${project.name}`}>
      <div className="flex items-center gap-3">
        <h2 className="text-lg font-semibold">{project.name}</h2>
        <span className="text-slate-500">
          {project.applications.length === 0
            ? "no applications"
            : project.applications.map((a) => (
                <Link key={a.id} href={`/applications/${a.id}`} className="mr-2 text-sky-700 hover:underline">
                  {a.name}
                </Link>
              ))}
        </span>
        {project.id !== "default" && (
          <Button variant="danger" className="ml-auto" onClick={() => remove.mutate()} disabled={remove.isPending}>
            Delete project
          </Button>
        )}
      </div>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <label className="block">
          Description
          <input
            value={rules.description}
            onChange={(e) => setRules({ ...rules, description: e.target.value })}
            className="mt-1 block w-full rounded border border-slate-300 px-2 py-1"
          />
        </label>
        <RuleRows
          testId="rules-sources"
          title="Sources"
          hint="Repositories (id, URL glob or *) and folders (glob, ** any depth) its environments may render."
          columns={[
            { key: "repository", label: "repository", placeholder: "* or https://git.example.com/team/*" },
            { key: "path", label: "path", placeholder: "apps/guestbook/**" },
          ]}
          rows={rules.sourceRepos}
          onChange={(sourceRepos) => setRules({ ...rules, sourceRepos })}
        />
        <RuleRows
          testId="rules-destinations"
          title="Destinations"
          hint="Clusters (name, id or *) and namespaces (glob) its environments may deploy to."
          columns={[
            { key: "cluster", label: "cluster", placeholder: "* or local" },
            { key: "namespace", label: "namespace", placeholder: "guestbook-*" },
          ]}
          rows={rules.destinations}
          onChange={(destinations) => setRules({ ...rules, destinations })}
        />
        <RuleRows
          testId="rules-cluster-kinds"
          title="Cluster-scoped kinds allowed"
          hint="None unless listed (the environment's own Namespace is always allowed)."
          columns={KIND}
          rows={rules.clusterResourceWhitelist}
          onChange={(clusterResourceWhitelist) => setRules({ ...rules, clusterResourceWhitelist })}
        />
        <RuleRows
          testId="rules-denied-kinds"
          title="Namespaced kinds denied"
          hint="Namespaced kinds its environments may not apply (e.g. ResourceQuota)."
          columns={KIND}
          rows={rules.namespaceResourceBlacklist}
          onChange={(namespaceResourceBlacklist) => setRules({ ...rules, namespaceResourceBlacklist })}
        />
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={save.isPending}>
            Save rules
          </Button>
          {save.isSuccess && (
            <span className="text-emerald-700">Saved: every environment of the project is checked against these rules at its next compare.</span>
          )}
        </div>
      </form>
      <ErrorBox error={save.error ?? remove.error} />
      <ProjectMembers projectId={project.id} />
    </section>
  );
}
