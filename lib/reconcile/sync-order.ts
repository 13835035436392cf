// The order objects are applied in: Namespaces and CRDs first, then sync waves
// (annotation), then a kind order that creates dependencies before their users.
import type { DesiredObject } from "./desired";
import { hookWave } from "./hooks";

export const WAVE_ANNOTATIONS = ["tideline.dev/sync-wave", "argocd.argoproj.io/sync-wave"];

const KIND_ORDER = [
  "Namespace",
  "CustomResourceDefinition",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "NetworkPolicy",
  "ServiceAccount",
  "Secret",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicaSet",
  "Deployment",
  "StatefulSet",
  "HorizontalPodAutoscaler",
  "PodDisruptionBudget",
  "Job",
  "CronJob",
  "Ingress",
];

function rank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

export function waveOf(d: DesiredObject): number {
  if (d.hook) return hookWave(d.manifest);
  if (d.manifest.kind === "Namespace" || d.manifest.kind === "CustomResourceDefinition") return Number.MIN_SAFE_INTEGER;
  for (const a of WAVE_ANNOTATIONS) {
    const v = d.manifest.metadata.annotations?.[a];
    if (v !== undefined && /^-?\d+$/.test(v.trim())) return Number(v);
  }
  return 0;
}

/** Groups objects into waves, each sorted by kind then name; waves ascend. */
export function planWaves(objects: DesiredObject[]): DesiredObject[][] {
  return planWaveGroups(objects).map((g) => g.objects);
}

/** The same waves with their sync-wave number (shown while a sync waits on one). */
export function planWaveGroups(objects: DesiredObject[]): Array<{ wave: number; objects: DesiredObject[] }> {
  const byWave = new Map<number, DesiredObject[]>();
  for (const o of objects) byWave.set(waveOf(o), [...(byWave.get(waveOf(o)) ?? []), o]);
  return [...byWave.entries()]
    .sort(([a], [b]) => a - b)
    .map(([wave, list]) => ({
      wave,
      objects: list.sort((x, y) => rank(x.manifest.kind) - rank(y.manifest.kind) || x.manifest.metadata.name.localeCompare(y.manifest.metadata.name)),
    }));
}
