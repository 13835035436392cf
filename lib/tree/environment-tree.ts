// Reads an environment's resource tree and events from the cluster's watch cache. Children and
// events are watched only in the environment's namespaces and only for the kinds its applied
// objects can own; a kind that cannot be read is reported as a problem, not a failed page.
import type { PrismaClient } from "../generated/prisma/client";
import type { ClusterCache } from "../kube/cluster-cache";
import type { KubeObject } from "../kube/watch-stream";
import { notFound } from "../errors";
import { buildTree, childKindsFor, type AppliedObject } from "./build-tree";
import { EVENTS_PER_NAMESPACE, eventRank, eventsOf, newestFirst, toEventView, type EventTarget } from "./events";
import type { EventView, TreeProblem, TreeView } from "./types";

export interface TreeDeps {
  prisma: PrismaClient;
  cacheFor: (clusterId: string) => Promise<ClusterCache>;
}

/** How long a read waits for a kind's first LIST before it is reported as unreachable. */
const SYNC_TIMEOUT_MS = 8_000;

interface Scope {
  id: string;
  clusterId: string;
  namespaces: string[];
  rows: Array<{ apiVersion: string; kind: string; namespace: string; name: string; syncStatus: string; health: string; healthMessage: string | null }>;
}

export async function environmentScope(prisma: PrismaClient, environmentId: string): Promise<Scope> {
  const env = await prisma.environment.findUnique({ where: { id: environmentId }, select: { id: true, clusterId: true, namespace: true } });
  if (!env) throw notFound(`Environment ${environmentId} does not exist`);
  const rows = await prisma.resourceState.findMany({
    where: { environmentId },
    select: { apiVersion: true, kind: true, namespace: true, name: true, syncStatus: true, health: true, healthMessage: true },
  });
  const namespaces = new Set([env.namespace, ...rows.map((r) => r.namespace).filter(Boolean)]);
  return { id: env.id, clusterId: env.clusterId, namespaces: [...namespaces].filter(Boolean), rows };
}

export async function environmentTree(deps: TreeDeps, environmentId: string): Promise<TreeView> {
  const scope = await environmentScope(deps.prisma, environmentId);
  const cache = await deps.cacheFor(scope.clusterId);
  return treeOf(cache, scope);
}

export async function treeOf(cache: ClusterCache, scope: Scope): Promise<TreeView> {
  const problems: TreeProblem[] = [];
  const applied: AppliedObject[] = await Promise.all(
    scope.rows.map(async (r) => {
      const live = await timed(cache.get(r.apiVersion, r.kind, r.namespace || undefined, r.name)).catch((e: Error) => {
        if (!problems.some((p) => p.kind === r.kind)) problems.push({ kind: r.kind, message: e.message });
        return null;
      });
      return { ...r, live };
    }),
  );
  const children: KubeObject[] = [];
  const wanted = childKindsFor(new Set(scope.rows.map((r) => r.kind)));
  await Promise.all(
    scope.namespaces.flatMap((ns) =>
      wanted.map(async (k) => {
        try {
          const kc = await timed(cache.namespacedKind(k.apiVersion, k.kind, ns));
          for (const o of kc.objects.values()) if (o.metadata.namespace === ns) children.push(o);
        } catch (e) {
          problems.push({ kind: k.kind, namespace: ns, message: (e as Error).message });
        }
      }),
    ),
  );
  const { items: events, problems: eventProblems } = await namespaceEvents(cache, scope.namespaces);
  return { environmentId: scope.id, nodes: buildTree({ applied, children, events }), problems: [...problems, ...eventProblems] };
}

/** The newest events of the namespaces (at most EVENTS_PER_NAMESPACE each), newest first. */
export async function namespaceEvents(cache: ClusterCache, namespaces: string[]): Promise<{ items: EventView[]; problems: TreeProblem[] }> {
  const items: EventView[] = [];
  const problems: TreeProblem[] = [];
  await Promise.all(
    namespaces.map(async (ns) => {
      try {
        const kc = await timed(cache.namespacedKind("v1", "Event", ns, { max: EVENTS_PER_NAMESPACE, rank: eventRank }));
        for (const e of kc.objects.values()) if (e.metadata.namespace === ns) items.push(toEventView(e));
      } catch (e) {
        problems.push({ kind: "Event", namespace: ns, message: (e as Error).message });
      }
    }),
  );
  return { items: items.sort(newestFirst), problems };
}

export async function environmentEvents(deps: TreeDeps, environmentId: string, target: EventTarget = {}, limit = 200) {
  const scope = await environmentScope(deps.prisma, environmentId);
  const cache = await deps.cacheFor(scope.clusterId);
  const { items, problems } = await namespaceEvents(cache, scope.namespaces);
  const selected = target.uid || target.kind || target.name ? eventsOf(items, target) : items;
  return { items: selected.slice(0, limit), total: selected.length, problems };
}

function timed<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the cluster did not answer within ${SYNC_TIMEOUT_MS / 1000} s (is it reachable?)`)), SYNC_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
