// Parses rendered YAML/JSON into Kubernetes objects, with errors that name the source
// file and line, and refuses duplicate objects (same group, kind, namespace and name).
import { parseAllDocuments } from "yaml";
import { invalid } from "../errors";

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
  const docs = parseAllDocuments(text, { prettyErrors: true });
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) {
      const err = doc.errors[0]!;
      const line = err.linePos?.[0]?.line;
      throw invalid(`${source}${line ? `:${line}` : ""}: invalid YAML: ${err.message.split("\n")[0]}`, { source, line });
    }
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    const items = isList(value) ? (value.items as unknown[]) : [value];
    for (const item of items) out.push({ object: validate(item, source, doc.range?.[0] !== undefined ? lineOf(text, doc.range[0]) : undefined), source });
  }
  return out;
}

function isList(v: unknown): v is { items: unknown[] } {
  const o = v as { kind?: string; items?: unknown };
  return typeof o?.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items);
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function validate(value: unknown, source: string, line?: number): Manifest {
  const where = `${source}${line ? `:${line}` : ""}`;
  if (!value || typeof value !== "object" || Array.isArray(value)) throw invalid(`${where}: a manifest must be a YAML mapping`, { source, line });
  const m = value as Partial<Manifest>;
  if (typeof m.apiVersion !== "string" || !m.apiVersion) throw invalid(`${where}: manifest has no apiVersion`, { source, line });
  if (typeof m.kind !== "string" || !m.kind) throw invalid(`${where}: manifest has no kind`, { source, line });
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
    if (first) throw invalid(`Duplicate object ${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name}: defined in ${first} and ${source}`);
    seen.set(id, source);
  }
}
