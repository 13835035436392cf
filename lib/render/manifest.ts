// Parses rendered YAML/JSON into Kubernetes objects, with errors that name the source
// file and line, and refuses duplicate objects (same group, kind, namespace and name).
// Linear in the input: lines come from one LineCounter pass, aliases are bounded (lib/limits/yaml).
import { LineCounter } from "yaml";
import { invalid } from "../errors";
import { documentToJS, parseYamlDocuments } from "../limits/yaml";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface SourcedManifest {
  object: Manifest;
  source: string;
}

export const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0]! : "");
export const objectId = (m: Manifest) => `${groupOf(m.apiVersion)}/${m.kind}/${m.metadata.namespace ?? ""}/${m.metadata.name}`;

export function parseManifests(text: string, source: string): SourcedManifest[] {
  const out: SourcedManifest[] = [];
  // The parser records every line start once; looking a line up is then a binary search
  // (scanning from the start of the text for every document made large files quadratic).
  const lines = new LineCounter();
  const docs = parseYamlDocuments(text, { file: source }, { lineCounter: lines });
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      const err = doc.errors[0]!;
      const line = err.linePos?.[0]?.line;
      throw invalid(`${source}${line ? `:${line}` : ""}: invalid YAML: ${err.message.split("\n")[0]}`, { source, line });
    }
    const value = documentToJS(doc, { file: source });
    if (value === null || value === undefined) continue;
    const items = isList(value) ? (value.items as unknown[]) : [value];
    const line = doc.range?.[0] !== undefined ? lines.linePos(doc.range[0]).line : undefined;
    for (const item of items) out.push({ object: validate(item, source, line), source });
  }
  return out;
}

/** Sync-hook annotations (lib/reconcile/hooks.ts reads them; listed here so rendering stays independent of it). */
export const HOOK_ANNOTATION_KEYS = ["tideline.dev/hook", "argocd.argoproj.io/hook", "helm.sh/hook"];
const isHook = (annotations: unknown) =>
  Boolean(annotations && typeof annotations === "object" && HOOK_ANNOTATION_KEYS.some((k) => typeof (annotations as Record<string, unknown>)[k] === "string"));

function isList(v: unknown): v is { items: unknown[] } {
  const o = v as { kind?: string; items?: unknown };
  return typeof o?.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items);
}

function validate(value: unknown, source: string, line?: number): Manifest {
  const where = `${source}${line ? `:${line}` : ""}`;
  if (!value || typeof value !== "object" || Array.isArray(value)) throw invalid(`${where}: a manifest must be a YAML mapping`, { source, line });
  const m = value as Partial<Manifest>;
  if (typeof m.apiVersion !== "string" || !m.apiVersion) throw invalid(`${where}: manifest has no apiVersion`, { source, line });
  if (typeof m.kind !== "string" || !m.kind) throw invalid(`${where}: manifest has no kind`, { source, line });
  if (m.metadata && typeof m.metadata === "object" && !m.metadata.name && typeof m.metadata.generateName === "string" && m.metadata.generateName) {
    // A hook may use generateName (a new object each sync): its generateName stands in for the name
    // (no valid name ends with "-", so it cannot collide with a named object). Other objects need a name.
    if (!isHook(m.metadata.annotations))
      throw invalid(
        `${where}: ${m.kind} has generateName but no metadata.name; generateName is only allowed on sync hooks (annotation argocd.argoproj.io/hook or tideline.dev/hook)`,
        { source, line },
      );
    return { ...m, metadata: { ...m.metadata, name: m.metadata.generateName } } as Manifest;
  }
  if (!m.metadata || typeof m.metadata !== "object" || typeof m.metadata.name !== "string" || !m.metadata.name) {
    throw invalid(`${where}: ${m.kind} has no metadata.name`, { source, line });
  }
  return m as Manifest;
}

export function assertNoDuplicates(manifests: SourcedManifest[]): void {
  const seen = new Map<string, string>();
  for (const { object, source } of manifests) {
    const id = objectId(object);
    const first = seen.get(id);
    if (first)
      throw invalid(
        `Duplicate object ${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name}: defined in ${first} and ${source}`,
      );
    seen.set(id, source);
  }
}
