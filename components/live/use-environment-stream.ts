"use client";
// Keeps an environment page current from its server-sent event stream: the snapshot and each
// message patch the react-query caches of the environment, its tree and its events. On an error
// the stream is reopened with backoff from the last id received (nothing is missed); while it is
// down the page's queries poll (see live-status.ts).
import { useEffect } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import type { EventView, TreeNode, TreeProblem, TreeView } from "@/lib/tree/types";
import { setLiveState } from "./live-status";

const MAX_EVENTS = 500;
/** How long a first connection may take to bring its snapshot before the page polls meanwhile. */
const SNAPSHOT_WAIT_MS = 5_000;

export const treeKey = (id: string) => ["tree", id] as const;
export const eventsKey = (id: string) => ["k8s-events", id] as const;

export function useEnvironmentStream(environmentId: string) {
  const client = useQueryClient();
  useEffect(() => {
    let source: EventSource | null = null;
    let lastId: string | null = null;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let silence: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = () => {
      const url = `/api/environments/${environmentId}/stream${lastId ? `?lastEventId=${encodeURIComponent(lastId)}` : ""}`;
      const es = new EventSource(url);
      source = es;
      const on = (name: string, apply: (data: any) => void) =>
        es.addEventListener(name, (e) => {
          const m = e as MessageEvent<string>;
          lastId = m.lastEventId || lastId;
          attempt = 0;
          apply(JSON.parse(m.data));
          setLiveState(environmentId, "live");
        });
      // Live once the snapshot has filled the caches (or, when resuming, at once: they are filled).
      es.onopen = () => {
        if (lastId) setLiveState(environmentId, "live");
      };
      // A stream that opens but brings nothing (a buffering proxy): fall back to polling meanwhile.
      clearTimeout(silence);
      silence = setTimeout(() => {
        if (!lastId && !stopped) setLiveState(environmentId, "polling");
      }, SNAPSHOT_WAIT_MS);
      on("snapshot", (d) => applySnapshot(client, environmentId, d));
      on("tree", (d) => patchTree(client, environmentId, d));
      on("environment", (d) => client.setQueryData(["environment", environmentId], d));
      on("events", (d) => mergeEvents(client, environmentId, d.items));
      on("sync-run", (d) => {
        void client.invalidateQueries({ queryKey: ["syncs", environmentId] });
        void client.invalidateQueries({ queryKey: ["sync-run", d.id] });
      });
      // The server ends each stream after a few minutes (authorization is checked again): reopen at once.
      es.addEventListener("rotate", () => {
        es.close();
        if (!stopped) timer = setTimeout(open, 0);
      });
      es.onerror = () => {
        // EventSource would retry on its own without our backoff or the resume id: take over.
        es.close();
        if (stopped) return;
        setLiveState(environmentId, "polling");
        attempt += 1;
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt - 1, 6)) * (0.75 + Math.random() / 2);
        timer = setTimeout(open, attempt === 1 ? 250 : delay);
      };
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(silence);
      source?.close();
      setLiveState(environmentId, "connecting");
    };
  }, [client, environmentId]);
}

function applySnapshot(client: QueryClient, id: string, d: { environment: unknown; tree: TreeView; events: { items: EventView[] } }) {
  client.setQueryData(["environment", id], d.environment);
  client.setQueryData(treeKey(id), d.tree);
  client.setQueryData(eventsKey(id), d.events);
}

function patchTree(client: QueryClient, id: string, d: { upsert: TreeNode[]; remove: string[]; problems: TreeProblem[] }) {
  client.setQueryData<TreeView>(treeKey(id), (old) => {
    if (!old) return old;
    const removed = new Set(d.remove);
    const changed = new Map(d.upsert.map((n) => [n.id, n]));
    const nodes = old.nodes.filter((n) => !removed.has(n.id)).map((n) => changed.get(n.id) ?? n);
    const known = new Set(nodes.map((n) => n.id));
    for (const n of d.upsert) if (!known.has(n.id)) nodes.push(n);
    return { ...old, nodes, problems: d.problems };
  });
}

function mergeEvents(client: QueryClient, id: string, items: EventView[]) {
  client.setQueryData<{ items: EventView[] }>(eventsKey(id), (old) => {
    if (!old) return old;
    const byId = new Map(old.items.map((e) => [e.id, e]));
    for (const e of items) byId.set(e.id, e);
    const all = [...byId.values()].sort((a, b) => (Date.parse(b.lastSeen ?? "") || 0) - (Date.parse(a.lastSeen ?? "") || 0));
    return { ...old, items: all.slice(0, MAX_EVENTS) };
  });
}
