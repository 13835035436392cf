// Lists the container images that Kubernetes objects run (containers, init and ephemeral
// containers of Pods and workload templates), one entry per image, in a stable order.
import { canonicalName, formatImageRef, tryParseImageRef } from "./image-ref";

export type ContainerSection = "containers" | "initContainers" | "ephemeralContainers";

export interface ImageUse {
  kind: string;
  namespace?: string;
  name: string;
  container: string;
  section: ContainerSection;
}

export interface RunningImage {
  /** The reference as written in the objects (the shortest spelling, if several normalize alike). */
  image: string;
  name: string;
  canonicalName: string;
  tag?: string;
  digest?: string;
  objects: ImageUse[];
}

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);
const at = (v: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((o, k) => asObj(o)?.[k], v);

/** Where each workload kind keeps its pod spec. */
const POD_SPEC: Record<string, string[]> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  PodTemplate: ["template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};
const SECTIONS: ContainerSection[] = ["containers", "initContainers", "ephemeralContainers"];

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function imagesInManifests(objects: Array<Record<string, unknown>>): RunningImage[] {
  const byRef = new Map<string, RunningImage>();
  const visit = (obj: Obj) => {
    const kind = typeof obj.kind === "string" ? obj.kind : "";
    if (kind.endsWith("List") && Array.isArray(obj.items)) {
      for (const item of obj.items) if (asObj(item)) visit(item as Obj);
      return;
    }
    const specPath = POD_SPEC[kind];
    if (!specPath) return;
    const spec = at(obj, ...specPath);
    const meta = asObj(obj.metadata);
    const name = typeof meta?.name === "string" ? meta.name : "";
    const namespace = typeof meta?.namespace === "string" && meta.namespace ? meta.namespace : undefined;
    for (const section of SECTIONS) {
      const list = at(spec, section);
      if (!Array.isArray(list)) continue;
      for (const c of list) {
        const image = asObj(c)?.image;
        if (typeof image !== "string" || !image.trim()) continue;
        const container = typeof asObj(c)?.name === "string" ? (asObj(c)!.name as string) : "";
        const ref = tryParseImageRef(image) ?? { name: image.trim() };
        const canonical = canonicalName(ref.name);
        const key = formatImageRef({ ...ref, name: canonical });
        let entry = byRef.get(key);
        if (!entry) {
          entry = { image, name: ref.name, canonicalName: canonical, ...pick(ref), objects: [] };
          byRef.set(key, entry);
        } else if (image.length < entry.image.length || (image.length === entry.image.length && image < entry.image)) {
          Object.assign(entry, { image, name: ref.name }); // the shortest spelling, whatever the input order
        }
        entry.objects.push({ kind, ...(namespace ? { namespace } : {}), name, container, section });
      }
    }
  };
  for (const obj of objects) if (asObj(obj)) visit(obj);

  const keyOfUse = (u: ImageUse) => [u.kind, u.namespace ?? "", u.name, u.section, u.container].join("\0");
  const out = [...byRef.values()];
  for (const entry of out) {
    const seen = new Set<string>();
    entry.objects = entry.objects.filter((u) => !seen.has(keyOfUse(u)) && seen.add(keyOfUse(u))).sort((a, b) => cmp(keyOfUse(a), keyOfUse(b)));
  }
  return out.sort(
    (a, b) => cmp(a.canonicalName, b.canonicalName) || cmp(a.tag ?? "", b.tag ?? "") || cmp(a.digest ?? "", b.digest ?? "") || cmp(a.image, b.image),
  );
}

function pick(ref: { tag?: string; digest?: string }) {
  return { ...(ref.tag !== undefined ? { tag: ref.tag } : {}), ...(ref.digest !== undefined ? { digest: ref.digest } : {}) };
}
