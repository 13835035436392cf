// Large files in the editor: the `yaml` Document API (positions for every node) costs seconds for a
// 5 MB file, most of which is documents without a single problem. Each document is first loaded
// with js-yaml (YAML 1.1 scalars, aliases refused: several times faster) and screened against the
// same schema rules on plain values; only documents that could carry a marker are validated with
// positions (validate-manifest.ts), and their markers are moved to the document's place in the file.
// A file with anchors, aliases, tags or directives is validated whole, where the alias limits apply.
import { loadAll, YAML11_SCHEMA } from "js-yaml";
import type { JsonType, KindLookup, KubeSchema } from "../kube/openapi-schemas";
import { isKustomizeConfig, type EditorMarker, type SchemaLookup } from "./validate-manifest";

export interface DocumentChunk {
  text: string;
  /** 0-based line of the chunk's first line in the file. */
  lineOffset: number;
  /** The document as plain values, or null when js-yaml refused it (a syntax problem: check exactly). */
  values: unknown[] | null;
}

// `&a`, `*a` (anchors, aliases), `!tag`, `%DIRECTIVE` at the start of a node: the whole file goes the exact way.
const NEEDS_WHOLE_FILE = /(?:^|[\s,[{:-])[&*!][^\s,\]}]|^%/m;
const DOCUMENT_START = /^---(?:[ \t]|$)/;
// A plain number written with a point or an exponent (`1.0`, `2.`, `1e3`) as a value: the exact check
// tells it from an integer (Kubernetes refuses 1.0 where an integer is due); js-yaml loads it as 1.
const FLOAT_LITERAL = /(?:^|:[ \t]+|-[ \t]+|[,[{][ \t]*)[-+]?(?:\d[\d_]*\.\d*|\.\d+|\d[\d_]*[eE][-+]?\d+)[ \t]*(?:[,\]}#].*)?$/m;

/** Splits a file at its `---` lines (a column-0 `---` is always a document marker); null: validate it whole. */
export function splitDocuments(text: string): DocumentChunk[] | null {
  if (NEEDS_WHOLE_FILE.test(text)) return null;
  const chunks: DocumentChunk[] = [];
  let start = 0;
  let startLine = 0;
  let line = 0;
  for (let at = 0; at <= text.length; ) {
    const nl = text.indexOf("\n", at);
    const end = nl < 0 ? text.length : nl;
    if (at > start && DOCUMENT_START.test(text.slice(at, Math.min(end, at + 4)))) {
      chunks.push({ text: text.slice(start, at), lineOffset: startLine, values: null });
      start = at;
      startLine = line;
    }
    if (nl < 0) break;
    at = nl + 1;
    line += 1;
  }
  chunks.push({ text: text.slice(start), lineOffset: startLine, values: null });
  for (const c of chunks) {
    try {
      c.values = loadAll(c.text, { schema: YAML11_SCHEMA, maxAliases: 0 });
    } catch {
      c.values = null;
    }
  }
  return chunks;
}

function jsonTypeOf(v: unknown): JsonType | "null" {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string" || v instanceof Date) return "string";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "bigint") return "integer";
  // 1.0 loads as 1 here; chunks that write such a number go the exact way (FLOAT_LITERAL).
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return "object";
}

/** Could this value carry a schema marker? (Conservative: a `true` is checked again with positions.) */
function suspect(v: unknown, schema: KubeSchema, depth = 0): boolean {
  if (depth > 100) return true;
  const actual = jsonTypeOf(v);
  if (actual === "null") return false;
  if (schema.types && !(schema.types.has(actual) || (actual === "integer" && schema.types.has("number")))) return true;
  if (schema.enum && actual !== "object" && actual !== "array" && !schema.enum.some((e) => e === v)) return true;
  if (actual === "object") {
    for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
      const known = schema.property(key);
      if (known) {
        if (suspect(child, known, depth + 1)) return true;
        continue;
      }
      if (schema.preserveUnknown) continue;
      const additional = schema.additional();
      if (additional === true) continue;
      if (additional === false) return true;
      if (suspect(child, additional, depth + 1)) return true;
    }
  } else if (actual === "array") {
    const items = schema.items();
    if (items) for (const item of v as unknown[]) if (suspect(item, items, depth + 1)) return true;
  }
  return false;
}

/** Whether a chunk needs the exact schema check (schema lookups are shared across the file). */
export async function chunkNeedsSchemaCheck(chunk: DocumentChunk, lookup: (apiVersion: string, kind: string) => Promise<KindLookup>): Promise<boolean> {
  if (!chunk.values || FLOAT_LITERAL.test(chunk.text)) return true;
  for (const doc of chunk.values) {
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) continue;
    const { apiVersion, kind } = doc as Record<string, unknown>;
    if (typeof apiVersion !== "string" || typeof kind !== "string" || !apiVersion || !kind || isKustomizeConfig(apiVersion, kind)) continue;
    const found = await lookup(apiVersion, kind);
    if (!found.found || suspect(doc, found.schema)) return true;
  }
  return false;
}

/** One lookup per apiVersion/kind for the whole file. */
export function sharedLookups(schemaFor: SchemaLookup) {
  const seen = new Map<string, Promise<KindLookup>>();
  return (apiVersion: string, kind: string) => {
    const key = `${apiVersion}\n${kind}`;
    let pending = seen.get(key);
    if (!pending) seen.set(key, (pending = Promise.resolve(schemaFor(apiVersion, kind))));
    return pending;
  };
}

/** Markers of a chunk, moved to where the chunk sits in the file. */
export const shiftMarkers = (markers: EditorMarker[], lineOffset: number): EditorMarker[] =>
  lineOffset === 0 ? markers : markers.map((m) => ({ ...m, line: m.line + lineOffset, endLine: m.endLine + lineOffset }));
