"use client";
// An environment's resource tree (applied objects and their ReplicaSets, Pods, Jobs and
// EndpointSlices), as a collapsible tree, a graph or a flat list, filtered by kind, health and name, with
// the selected object's details and events beside it. Kept current by the environment stream.
import { useCallback, useMemo, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { EventView, TreeNode, TreeView } from "@/lib/tree/types";
import { api } from "../api";
import { ErrorBox } from "../ui";
import { HealthBadge, SyncBadge } from "../environments/badges";
import { useLiveInterval, useLiveState } from "../live/live-status";
import { eventsKey, treeKey } from "../live/use-environment-stream";
import { EventsList, eventsOfNode } from "./events-list";
import { ResourceGraph } from "./resource-graph";
import { VirtualRows } from "./virtual-rows";

interface Row {
  node: TreeNode;
  depth: number;
  hasChildren: boolean;
}

const byKindName = (a: TreeNode, b: TreeNode) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name);

export function ResourceTreePanel({ environmentId }: { environmentId: string }) {
  const interval = useLiveInterval(environmentId, 5_000);
  // The stream's snapshot fills these caches: fetch only while it is down, or when the cache was
  // dropped while the stream is live (not while connecting: the snapshot is on its way).
  const client = useQueryClient();
  const live = useLiveState(environmentId);
  const tree = useQuery({
    queryKey: treeKey(environmentId),
    queryFn: () => api<TreeView>(`/api/environments/${environmentId}/tree`),
    refetchInterval: interval,
    enabled: live === "polling" || (live === "live" && !client.getQueryData(treeKey(environmentId))),
  });
  const events = useQuery({
    queryKey: eventsKey(environmentId),
    queryFn: () => api<{ items: EventView[] }>(`/api/environments/${environmentId}/events`),
    refetchInterval: interval,
    enabled: live === "polling" || (live === "live" && !client.getQueryData(eventsKey(environmentId))),
  });
  const [mode, setMode] = useState<"tree" | "graph" | "list">("tree");
  const [kind, setKind] = useState("");
  const [health, setHealth] = useState("");
  const [text, setText] = useState("");
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const nodes = tree.data?.nodes ?? [];

  const { children, roots, kinds, healths, byId } = useMemo(() => {
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const children = new Map<string, TreeNode[]>();
    const roots: TreeNode[] = [];
    for (const n of nodes) {
      if (n.parentId && byId.has(n.parentId)) {
        const list = children.get(n.parentId);
        if (list) list.push(n);
        else children.set(n.parentId, [n]);
      } else roots.push(n);
    }
    for (const list of children.values()) list.sort(byKindName);
    roots.sort(byKindName);
    return { children, roots, byId, kinds: [...new Set(nodes.map((n) => n.kind))].sort(), healths: [...new Set(nodes.map((n) => n.health))].sort() };
  }, [nodes]);

  const matches = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return (n: TreeNode) => (!kind || n.kind === kind) && (!health || n.health === health) && (!needle || n.name.toLowerCase().includes(needle));
  }, [kind, health, text]);
  const filtering = Boolean(kind || health || text.trim());

  const rows = useMemo(() => {
    if (mode === "list")
      return nodes
        .filter(matches)
        .sort(byKindName)
        .map((node) => ({ node, depth: 0, hasChildren: false }));
    // A node is shown when it matches or leads to a match (so a filtered pod keeps its Deployment and ReplicaSet).
    const keep = new Map<string, boolean>();
    const leadsToMatch = (n: TreeNode): boolean => {
      const known = keep.get(n.id);
      if (known !== undefined) return known;
      let result = matches(n);
      for (const c of children.get(n.id) ?? []) if (leadsToMatch(c)) result = true;
      keep.set(n.id, result);
      return result;
    };
    const out: Row[] = [];
    const walk = (n: TreeNode, depth: number) => {
      if (filtering && !leadsToMatch(n)) return;
      const kids = children.get(n.id) ?? [];
      out.push({ node: n, depth, hasChildren: kids.length > 0 });
      if (!collapsed.has(n.id)) for (const c of kids) walk(c, depth + 1);
    };
    for (const r of roots) walk(r, 0);
    return out;
  }, [mode, nodes, matches, filtering, children, roots, collapsed]);

  const selected = selectedId ? byId.get(selectedId) : undefined;
  const allEvents = events.data?.items ?? [];
  const toggle = useCallback(
    (id: string) =>
      setCollapsed((prev) => {
        const next = new Set(prev);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );

  if (tree.error) return <ErrorBox error={tree.error} />;
  if (!tree.data) return <p className="text-slate-500">Loading the resource tree…</p>;
  return (
    <div className="space-y-3" data-testid="resource-tree">
      {tree.data.problems.map((p) => (
        <p key={`${p.kind}/${p.namespace}`} className="rounded border border-amber-300 bg-amber-50 px-3 py-1.5 text-sm text-amber-900">
          Could not read {p.kind}
          {p.namespace ? ` in ${p.namespace}` : ""}: {p.message}
        </p>
      ))}
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <div className="flex overflow-hidden rounded border border-slate-300">
          {(["tree", "graph", "list"] as const).map((m) => (
            <button
              type="button"
              key={m}
              data-testid={`tree-mode-${m}`}
              onClick={() => setMode(m)}
              className={`px-3 py-1 ${mode === m ? "bg-sky-700 text-white" : "bg-white text-slate-700"}`}
            >
              {m === "tree" ? "Tree" : m === "graph" ? "Graph" : "List"}
            </button>
          ))}
        </div>
        <select aria-label="Kind" value={kind} onChange={(e) => setKind(e.target.value)} className="rounded border border-slate-300 px-2 py-1">
          <option value="">All kinds</option>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        <select aria-label="Health" value={health} onChange={(e) => setHealth(e.target.value)} className="rounded border border-slate-300 px-2 py-1">
          <option value="">Any health</option>
          {healths.map((h) => (
            <option key={h} value={h}>
              {h}
            </option>
          ))}
        </select>
        <input
          aria-label="Filter by name"
          placeholder="Filter by name"
          value={text}
          onChange={(e) => setText(e.target.value)}
          className="rounded border border-slate-300 px-2 py-1"
        />
        {mode !== "list" && (
          <>
            <button type="button" className="text-sky-700 hover:underline" onClick={() => setCollapsed(new Set())}>
              Expand all
            </button>
            <button type="button" className="text-sky-700 hover:underline" onClick={() => setCollapsed(new Set([...children.keys()]))}>
              Collapse all
            </button>
          </>
        )}
        <span className="ml-auto text-xs text-slate-500" data-testid="tree-count">
          {rows.length} of {nodes.length} objects
        </span>
      </div>
      <div className="grid gap-3 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="rounded border border-slate-200 bg-white">
          {rows.length === 0 ? (
            <p className="px-3 py-6 text-center text-sm text-slate-500">{nodes.length ? "Nothing matches the filters." : "No objects yet (not synced)."}</p>
          ) : mode === "graph" ? (
            <ResourceGraph rows={rows} selectedId={selectedId} collapsed={collapsed} onSelect={setSelectedId} onToggle={toggle} />
          ) : (
            <VirtualRows
              testId={`tree-${mode}`}
              rows={rows}
              rowKey={(row) => row.node.id}
              render={(row) => (
                <NodeRow
                  row={row}
                  mode={mode}
                  parent={row.node.parentId ? byId.get(row.node.parentId) : undefined}
                  selected={row.node.id === selectedId}
                  collapsed={collapsed.has(row.node.id)}
                  onToggle={toggle}
                  onSelect={setSelectedId}
                />
              )}
            />
          )}
        </div>
        <div className="space-y-3">
          {selected ? <NodeDetails node={selected} events={eventsOfNode(allEvents, selected)} onClose={() => setSelectedId(null)} /> : null}
          <section className="rounded border border-slate-200 bg-white">
            <h3 className="border-b border-slate-100 px-3 py-2 text-sm font-medium">
              Events in {selected ? "the namespace" : "this environment's namespaces"}
            </h3>
            <div className="max-h-96 overflow-auto" data-testid="namespace-events">
              <EventsList events={allEvents.slice(0, 100)} empty="No events in the namespace." />
            </div>
          </section>
        </div>
      </div>
    </div>
  );
}

function NodeRow({
  row,
  mode,
  parent,
  selected,
  collapsed,
  onToggle,
  onSelect,
}: {
  row: Row;
  mode: "tree" | "list";
  parent?: TreeNode;
  selected: boolean;
  collapsed: boolean;
  onToggle: (id: string) => void;
  onSelect: (id: string) => void;
}) {
  const n = row.node;
  return (
    <div
      role="treeitem"
      tabIndex={0}
      aria-level={row.depth + 1}
      aria-selected={selected}
      aria-expanded={mode === "tree" && row.hasChildren ? !collapsed : undefined}
      data-testid={`tree-node-${n.kind}-${n.name}`}
      data-health={n.health}
      className={`flex h-full cursor-pointer items-center gap-2 border-b border-slate-50 px-2 text-sm hover:bg-slate-50 focus:outline focus:outline-2 focus:outline-sky-500 ${selected ? "bg-sky-50" : ""}`}
      style={{ paddingLeft: 8 + row.depth * 18 }}
      onClick={() => onSelect(n.id)}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") onSelect(n.id);
        else if (mode === "tree" && row.hasChildren && ((e.key === "ArrowRight" && collapsed) || (e.key === "ArrowLeft" && !collapsed))) onToggle(n.id);
        else return;
        e.preventDefault();
      }}
    >
      {mode === "tree" && (
        <button
          type="button"
          aria-label={collapsed ? "Expand" : "Collapse"}
          className={`w-4 text-slate-500 ${row.hasChildren ? "" : "invisible"}`}
          onClick={(e) => {
            e.stopPropagation();
            onToggle(n.id);
          }}
        >
          {collapsed ? "▸" : "▾"}
        </button>
      )}
      <span className="w-24 shrink-0 truncate text-xs text-slate-500">{n.kind}</span>
      <span className="min-w-0 max-w-[40%] shrink truncate font-mono text-xs">{n.name}</span>
      <HealthBadge status={n.health} title={n.healthMessage} />
      {n.syncStatus && <SyncBadge status={n.syncStatus} />}
      {n.warnings > 0 && (
        <span className="rounded bg-amber-100 px-1 text-xs text-amber-800" title="Warning events">
          ⚠ {n.warnings}
        </span>
      )}
      {n.pod && (
        <span className="shrink-0 text-xs text-slate-500">
          {n.pod.phase} · {n.pod.ready}
          {n.pod.restarts ? ` · ${n.pod.restarts} restarts` : ""}
        </span>
      )}
      {mode === "list" && parent && (
        <span className="shrink-0 truncate text-xs text-slate-400">
          ← {parent.kind}/{parent.name}
        </span>
      )}
      <span className="min-w-0 flex-1 truncate text-xs text-slate-600" data-testid="node-reason" title={n.reason}>
        {n.health === "Healthy" ? "" : n.reason}
      </span>
    </div>
  );
}

function NodeDetails({ node: n, events, onClose }: { node: TreeNode; events: EventView[]; onClose: () => void }) {
  return (
    <section className="rounded border border-slate-200 bg-white" data-testid="node-details">
      <div className="flex items-center gap-2 border-b border-slate-100 px-3 py-2">
        <h3 className="text-sm font-medium">
          {n.kind}{" "}
          <span className="font-mono">
            {n.namespace ? `${n.namespace}/` : ""}
            {n.name}
          </span>
        </h3>
        <button type="button" className="ml-auto text-xs text-slate-500 hover:underline" onClick={onClose}>
          Close
        </button>
      </div>
      <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-1 px-3 py-2 text-sm">
        <dt className="text-slate-500">Health</dt>
        <dd>
          <HealthBadge status={n.health} /> <span className="text-xs text-slate-600">{n.healthMessage}</span>
        </dd>
        {n.syncStatus && (
          <>
            <dt className="text-slate-500">Sync</dt>
            <dd>
              <SyncBadge status={n.syncStatus} />
            </dd>
          </>
        )}
        {n.health !== "Healthy" && (
          <>
            <dt className="text-slate-500">Reason</dt>
            <dd className="text-xs">{n.reason}</dd>
          </>
        )}
        {n.pod && (
          <>
            <dt className="text-slate-500">Phase</dt>
            <dd>
              {n.pod.phase}, {n.pod.ready} ready, {n.pod.restarts} restarts
            </dd>
            <dt className="text-slate-500">Node</dt>
            <dd className="font-mono text-xs">{n.pod.node ?? "not scheduled"}</dd>
            <dt className="text-slate-500">Images</dt>
            <dd className="font-mono text-xs">
              {n.pod.images.map((i) => (
                <div key={i}>{i}</div>
              ))}
            </dd>
          </>
        )}
        {n.createdAt && (
          <>
            <dt className="text-slate-500">Created</dt>
            <dd className="text-xs">{new Date(n.createdAt).toLocaleString()}</dd>
          </>
        )}
      </dl>
      <h4 className="border-t border-slate-100 px-3 pt-2 text-xs font-medium uppercase text-slate-500">Events</h4>
      <div className="max-h-64 overflow-auto" data-testid="object-events">
        <EventsList events={events} showObject={false} empty="No events for this object." />
      </div>
    </section>
  );
}
