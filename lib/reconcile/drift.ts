// Compares desired with live for every object of an environment: a server-side apply
// dry-run shows what the object would become; it is compared with the live object from
// the watch cache after normalization and ignore rules. Results are cached by
// (hash of desired object, live resourceVersion), so an unchanged environment costs no calls.
// It is also where ownership is known: a live object carrying another environment's inventory
// label (or none, unless the environment adopts existing objects) is a conflict naming its owner,
// and the desired object is marked with that error so the sync refuses it (never force-applied).
import type { ClusterCache } from "../kube/cluster-cache";
import type { KubeObject } from "../kube/watch-stream";
import { AppError } from "../errors";
import { assessHealth, type HealthStatus } from "../kube/health";
import { normalizeForDiff, objectsEqual, stableHash } from "../drift/normalize";
import { applyIgnoreRules, type IgnoreRule } from "../drift/ignore-rules";
import { summarizeChanges } from "../drift/yaml-diff";
import { serverSideApply } from "./apply";
import { INVENTORY_LABEL, projectError, type DesiredObject } from "./desired";
import { db } from "../db";
import { environmentRules } from "../projects/load";

export type ObjectSyncStatus = "Synced" | "OutOfSync" | "Missing" | "Extraneous" | "Error";

export interface ObjectReport {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  syncStatus: ObjectSyncStatus;
  health: HealthStatus;
  healthMessage: string;
  error: string | null;
  desiredHash: string | null;
  liveVersion: string | null;
  changes: Array<{ path: string; desired: unknown; live: unknown }>;
}

interface CachedVerdict {
  merged: KubeObject | null;
  error: string | null;
}

const MAX_CACHE = 50_000;
const dryRunCache = new Map<string, CachedVerdict>();

function remember(key: string, verdict: CachedVerdict) {
  if (dryRunCache.size >= MAX_CACHE) dryRunCache.delete(dryRunCache.keys().next().value!);
  dryRunCache.set(key, verdict);
}

export const idOf = (o: { apiVersion: string; kind: string; namespace: string; name: string }) => `${o.apiVersion}|${o.kind}|${o.namespace}|${o.name}`;

/** A verdict stored by an earlier reconcile (ResourceState), reusable while nothing changed. */
export interface PreviousVerdict {
  syncStatus: string;
  desiredHash: string | null;
  liveVersion: string | null;
  message: string | null;
  changes: unknown;
}

/** The dry-run result for one desired object against the current live version (cached). */
export async function dryRunMerged(cache: ClusterCache, d: DesiredObject, live: KubeObject | null): Promise<CachedVerdict & { desiredHash: string }> {
  const desiredHash = stableHash(d.manifest);
  const verdict = await dryRunByHash(cache, d, live, desiredHash);
  return { ...verdict, desiredHash };
}

async function dryRunByHash(cache: ClusterCache, d: DesiredObject, live: KubeObject | null, desiredHash: string): Promise<CachedVerdict> {
  const key = `${cache.client.server}|${desiredHash}|${live?.metadata.resourceVersion ?? "absent"}`;
  const hit = dryRunCache.get(key);
  if (hit) return hit;
  let verdict: CachedVerdict;
  try {
    verdict = { merged: await serverSideApply(cache.client, d.type!, d.manifest, { dryRun: true }), error: null };
  } catch (e) {
    verdict = { merged: null, error: e instanceof AppError ? e.message : String(e) };
  }
  remember(key, verdict);
  return verdict;
}

export async function compareEnvironment(opts: {
  cache: ClusterCache;
  desired: DesiredObject[];
  environmentId: string;
  inventoryKinds: Array<{ apiVersion: string; kind: string }>;
  ignoreRules: IgnoreRule[];
  /** Verdicts stored by the last reconcile: reused when neither side changed, so even a fresh process skips the dry-runs. */
  previous?: Map<string, PreviousVerdict>;
  concurrency?: number;
}): Promise<ObjectReport[]> {
  const { cache } = opts;
  // The project's rules are checked again on every compare (renders are cached; a policy edit applies at once): one query.
  const rules = await environmentRules(db(), opts.environmentId);
  const policy = rules?.policy ?? null;
  for (const d of opts.desired) {
    const renderError = d.renderError !== undefined ? d.renderError : d.error;
    d.error = renderError ?? (policy ? projectError(policy, d.manifest, d.type) : null);
  }
  const ownership = {
    environmentId: opts.environmentId,
    namespace: rules?.namespace ?? null,
    adoptExisting: rules?.adoptExisting ?? false,
    owners: ownerNames(),
  };
  const reports: ObjectReport[] = new Array(opts.desired.length);
  let next = 0;
  const worker = async () => {
    while (next < opts.desired.length) {
      const i = next++;
      reports[i] = await compareOne(cache, opts.desired[i]!, opts.ignoreRules, opts.previous, ownership);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 16, opts.desired.length) }, worker));

  // Extraneous: objects carrying this environment's inventory label that Git no longer has.
  const wanted = new Set(reports.map(idOf));
  const kinds = new Map(opts.inventoryKinds.map((k) => [`${k.apiVersion}|${k.kind}`, k]));
  for (const d of opts.desired)
    if (d.type) kinds.set(`${d.manifest.apiVersion}|${d.manifest.kind}`, { apiVersion: d.manifest.apiVersion, kind: d.manifest.kind });
  for (const k of kinds.values()) {
    let live: KubeObject[] = [];
    try {
      live = await cache.list({ ...k, labelSelector: `${INVENTORY_LABEL}=${opts.environmentId}` });
    } catch {
      continue; // kind no longer served: nothing of it can be live
    }
    for (const obj of live) {
      const id = { apiVersion: k.apiVersion, kind: k.kind, namespace: obj.metadata.namespace ?? "", name: obj.metadata.name };
      if (wanted.has(idOf(id))) continue;
      const health = assessHealth(obj);
      // An environment outside its project prunes nothing: its leftovers are reported, not deleted.
      const blocked = policy?.environmentError ?? null;
      reports.push({
        ...id,
        syncStatus: blocked ? "Error" : "Extraneous",
        health: health.status,
        healthMessage: health.message,
        error: blocked,
        desiredHash: null,
        liveVersion: obj.metadata.resourceVersion ?? null,
        changes: [],
      });
    }
  }
  return reports;
}

interface Ownership {
  environmentId: string;
  /** The environment's own namespace: Tideline creates it unlabelled, so it is never a conflict. */
  namespace: string | null;
  adoptExisting: boolean;
  owners: (environmentId: string) => Promise<string | null>;
}

/** "application/environment" for an inventory label value, or null when no such environment exists (memoized per compare). */
function ownerNames() {
  const seen = new Map<string, Promise<string | null>>();
  return (id: string) => {
    if (!seen.has(id)) {
      seen.set(
        id,
        db()
          .environment.findUnique({ where: { id }, select: { name: true, application: { select: { name: true } } } })
          .then((e) => (e ? `${e.application.name}/${e.name}` : null)),
      );
    }
    return seen.get(id)!;
  };
}

/** Why this environment may not take over the live object, or null. */
export async function ownershipError(d: DesiredObject, live: KubeObject | null, o: Ownership): Promise<string | null> {
  if (!live) return null;
  const label = live.metadata.labels?.[INVENTORY_LABEL];
  const what = `${d.manifest.kind} ${d.manifest.metadata.namespace ? `${d.manifest.metadata.namespace}/` : ""}${d.manifest.metadata.name}`;
  if (label === o.environmentId) return null;
  if (label) {
    const owner = await o.owners(label);
    if (owner)
      return `${what} belongs to environment ${owner.split("/")[1]} of application ${owner.split("/")[0]} (inventory label ${INVENTORY_LABEL}=${label}); it is not adopted, overwritten or pruned`;
  }
  if (o.adoptExisting) return null;
  if (d.manifest.kind === "Namespace" && d.manifest.metadata.name === o.namespace) return null;
  return label
    ? `${what} carries the inventory label of an environment that no longer exists (${label}); turn on "adopt existing objects" for this environment to take it over`
    : `${what} already exists in the cluster and is not managed by Tideline; turn on "adopt existing objects" for this environment to take it over`;
}

async function compareOne(
  cache: ClusterCache,
  d: DesiredObject,
  rules: IgnoreRule[],
  previous?: Map<string, PreviousVerdict>,
  ownership?: Ownership,
): Promise<ObjectReport> {
  const base = { apiVersion: d.manifest.apiVersion, kind: d.manifest.kind, namespace: d.manifest.metadata.namespace ?? "", name: d.manifest.metadata.name };
  // Its CRD comes with the same sync: Missing until then, not an error.
  if (!d.type && d.awaitsCrd && !d.error)
    return {
      ...base,
      syncStatus: "Missing",
      health: "Missing",
      healthMessage: "its CustomResourceDefinition is applied by the same sync",
      error: null,
      desiredHash: null,
      liveVersion: null,
      changes: [],
    };
  if (d.error || !d.type) {
    return {
      ...base,
      syncStatus: "Error",
      health: "Unknown",
      healthMessage: "",
      error: d.error ?? "unknown kind",
      desiredHash: null,
      liveVersion: null,
      changes: [],
    };
  }
  const live = await cache.get(d.manifest.apiVersion, d.manifest.kind, d.type.namespaced ? base.namespace : undefined, base.name);
  const conflict = ownership ? await ownershipError(d, live, ownership) : null;
  if (conflict) {
    d.error = conflict; // the sync refuses while any desired object has an error
    return {
      ...base,
      syncStatus: "Error",
      health: "Unknown",
      healthMessage: "",
      error: conflict,
      desiredHash: null,
      liveVersion: live?.metadata.resourceVersion ?? null,
      changes: [],
    };
  }
  const health = assessHealth(live);
  // The verdict depends on the desired object, the live version and the ignore rules.
  const desiredHash = stableHash({ manifest: d.manifest, rules });
  const liveVersion = live?.metadata.resourceVersion ?? null;
  const common = { ...base, health: health.status, healthMessage: health.message, desiredHash, liveVersion };
  const prev = previous?.get(idOf(base));
  if (
    live &&
    prev &&
    !prev.message &&
    prev.desiredHash === desiredHash &&
    prev.liveVersion === liveVersion &&
    (prev.syncStatus === "Synced" || prev.syncStatus === "OutOfSync")
  ) {
    return { ...common, syncStatus: prev.syncStatus, error: null, changes: (prev.changes as ObjectReport["changes"]) ?? [] };
  }
  const { merged, error } = await dryRunByHash(cache, d, live, stableHash(d.manifest));
  // Before the first sync the environment's namespace may not exist yet; sync creates it.
  if (error && !live && /namespaces? "[^"]+" not found/.test(error)) return { ...common, syncStatus: "Missing", error: null, changes: [] };
  if (error) return { ...common, syncStatus: live ? "OutOfSync" : "Missing", error, changes: [] };
  if (!live) return { ...common, syncStatus: "Missing", error: null, changes: [] };
  const want = normalizeForDiff(applyIgnoreRules(merged!, rules));
  const have = normalizeForDiff(applyIgnoreRules(live, rules));
  if (objectsEqual(want, have)) return { ...common, syncStatus: "Synced", error: null, changes: [] };
  return { ...common, syncStatus: "OutOfSync", error: null, changes: summarizeChanges(want, have) };
}
