// Editor markers for one YAML file: syntax errors from the `yaml` parser, and Kubernetes schema
// problems (unknown fields, wrong types, enum values, unknown kinds) against a kind's schema.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from "yaml";
import { closest, type JsonType, type KindLookup, type KubeSchema } from "../kube/openapi-schemas";
import { parseYamlDocuments, type YamlSource } from "../limits/yaml";

export interface EditorMarker {
  /** 1-based, like Monaco's IMarkerData. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: "error" | "warning";
  message: string;
  source: "yaml" | "kubernetes";
}

export type SchemaLookup = (apiVersion: string, kind: string) => Promise<KindLookup> | KindLookup;

export interface ParsedManifest {
  text: string;
  docs: Document.Parsed[];
  lineCounter: LineCounter;
}

/**
 * Parses with YAML 1.1 scalars, as Kubernetes (sigs.k8s.io/yaml) does: `yes`/`on` are booleans.
 * Alias bombs are refused with a 422 naming the file (the schema walk follows aliases).
 */
export function parseManifest(text: string, source: YamlSource = { file: "content" }): ParsedManifest {
  const lineCounter = new LineCounter();
  const docs = parseYamlDocuments(text, source, { lineCounter, version: "1.1" });
  return { text, docs, lineCounter };
}

const asParsed = (input: string | ParsedManifest) => (typeof input === "string" ? parseManifest(input) : input);

function marker(
  p: ParsedManifest,
  start: number,
  end: number,
  severity: EditorMarker["severity"],
  message: string,
  source: EditorMarker["source"],
): EditorMarker {
  const a = p.lineCounter.linePos(start);
  const b = p.lineCounter.linePos(Math.max(end, start + 1));
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col, severity, message, source };
}

// ------------------------------------------------------------------ YAML syntax

export function validateYaml(input: string | ParsedManifest): EditorMarker[] {
  const p = asParsed(input);
  const out: EditorMarker[] = [];
  for (const doc of p.docs) {
    for (const [problems, severity] of [
      [doc.errors, "error"],
      [doc.warnings, "warning"],
    ] as const) {
      for (const e of problems) {
        const message = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
        const [start, end] = e.pos;
        out.push(marker(p, start, end > start ? end : start + 1, severity, message, "yaml"));
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------ what is checked

/** Kustomize's own config files: not Kubernetes objects. */
export function isKustomizeConfig(apiVersion: string, kind: string): boolean {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
  return (
    group === "kustomize.config.k8s.io" || group === "config.kubernetes.io" || apiVersion === "builtin" || kind === "Kustomization" || kind === "Component"
  );
}

/** A Helm chart template (Go templating inside): neither YAML nor a manifest until rendered. */
export function isHelmTemplate(path: string | undefined, text: string): boolean {
  return !!path && /(^|\/)templates\//.test(path) && text.includes("{{");
}

// ------------------------------------------------------------------ Kubernetes schema

function jsonTypeOf(node: Node): JsonType | "null" {
  if (isMap(node)) return "object";
  if (isSeq(node)) return "array";
  const v = (node as { value?: unknown }).value;
  if (v === null || v === undefined) return "null";
  if (typeof v === "string" || v instanceof Date) return "string";
  if (typeof v === "boolean") return "boolean";
  if (typeof v === "bigint") return "integer";
  // 1.0 is a float as written, even though JavaScript stores it as an integer.
  if (typeof v === "number")
    return Number.isInteger(v) && !/^[-+]?(\.\d|\d[\d_]*\.|\d[\d_]*[eE])/.test(isScalar(node) ? (node.source ?? "") : "") ? "integer" : "number";
  return "object"; // binary, sets and other YAML 1.1 extras
}

function accepts(types: ReadonlySet<JsonType>, actual: JsonType): boolean {
  return types.has(actual) || (actual === "integer" && types.has("number"));
}

const fieldPath = (parent: string, key: string) =>
  /^[A-Za-z_$][\w$-]*$/.test(key) ? (parent ? `${parent}.${key}` : key) : `${parent}[${JSON.stringify(key)}]`;

/** The value as written (`yes`, not `true`), shortened. */
function shown(node: Node): string {
  if (!isScalar(node)) return "";
  const v = node.value;
  if (typeof v === "string") return ` (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)})`;
  const src = typeof node.source === "string" && node.source ? node.source : String(v);
  return ` (${src.length > 40 ? `${src.slice(0, 40)}…` : src})`;
}

class SchemaWalker {
  readonly markers: EditorMarker[] = [];
  constructor(
    private readonly p: ParsedManifest,
    private readonly doc: Document.Parsed,
  ) {}

  private at(node: Node | null | undefined, fallback: Node | null | undefined): [number, number] {
    const n = node?.range ? node : fallback;
    if (!n?.range) return [0, 1];
    const [start, valueEnd] = n.range;
    // Collections span many lines: mark their first line only.
    const nl = this.p.text.indexOf("\n", start);
    return [start, isScalar(n) || isAlias(n) || nl < 0 ? valueEnd : Math.min(valueEnd, nl)];
  }

  private report(node: Node | null | undefined, fallback: Node | null | undefined, message: string, severity: EditorMarker["severity"] = "error") {
    const [start, end] = this.at(node, fallback);
    this.markers.push(marker(this.p, start, end, severity, message, "kubernetes"));
  }

  /** `keyNode`: the key this value sits under (marked when the value is a whole collection). */
  check(raw: Node | null | undefined, schema: KubeSchema, path: string, keyNode: Node | null, depth = 0): void {
    if (!raw || depth > 100) return;
    const node = isAlias(raw) ? (raw.resolve(this.doc) as Node | undefined) : raw;
    if (!node) return;
    const actual = jsonTypeOf(node);
    // The API server treats null as "unset" (kubectl output has creationTimestamp: null).
    if (actual === "null") return;
    // Scalars and one-line flow collections are marked themselves; a block collection at its key.
    const where = isScalar(node) || ((isMap(node) || isSeq(node)) && node.flow) ? raw : (keyNode ?? raw);
    if (schema.types && !accepts(schema.types, actual)) {
      const expected = [...schema.types].join(" or ");
      this.report(where, raw, `${path || "(root)"}: expected ${expected}, got ${actual}${shown(node)}`);
      return;
    }
    if (schema.enum && isScalar(node) && !schema.enum.some((e) => e === node.value)) {
      const options = schema.enum.map((e) => String(e));
      const hint = typeof node.value === "string" ? closest(node.value, options, 1)[0] : undefined;
      this.report(raw, raw, `${path}: unsupported value${shown(node)}; must be one of ${options.join(", ")}${hint ? ` (did you mean ${hint}?)` : ""}`);
      return;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (key === "<<") continue; // YAML 1.1 merge key: its entries are not checked
        const childPath = fieldPath(path, key);
        const known = schema.property(key);
        if (known) {
          this.check(pair.value as Node | null, known, childPath, pair.key, depth + 1);
          continue;
        }
        if (schema.preserveUnknown) continue;
        const additional = schema.additional();
        if (additional === true) continue;
        if (additional === false) {
          const hint = closest(key, schema.propertyNames ?? [], 1)[0];
          this.report(pair.key, pair.key, `${childPath}: unknown field${hint ? ` (did you mean ${hint}?)` : ""}`);
          continue;
        }
        this.check(pair.value as Node | null, additional, childPath, pair.key, depth + 1);
      }
    } else if (isSeq(node)) {
      const items = schema.items();
      if (!items) return;
      node.items.forEach((item, i) => this.check(item as Node | null, items, `${path}[${i}]`, null, depth + 1));
    }
  }
}

function stringField(doc: Document.Parsed, key: string): { value: string; node: Node } | null {
  if (!isMap(doc.contents)) return null;
  const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (!pair || !isScalar(pair.value) || typeof pair.value.value !== "string" || !pair.value.value) return null;
  return { value: pair.value.value, node: pair.value };
}

/**
 * Schema markers for every document that is a Kubernetes object. Missing required fields are not
 * reported (the file may be a kustomize patch). Documents with YAML errors are left to validateYaml.
 * `schemaFor` failures (cluster unreachable) propagate.
 */
export async function validateAgainstSchema(input: string | ParsedManifest, schemaFor: SchemaLookup, opts: { path?: string } = {}): Promise<EditorMarker[]> {
  const p = asParsed(input);
  if (isHelmTemplate(opts.path, p.text)) return [];
  const out: EditorMarker[] = [];
  const lookups = new Map<string, Promise<KindLookup> | KindLookup>();
  for (const doc of p.docs) {
    if (doc.errors.length) continue;
    const apiVersion = stringField(doc, "apiVersion");
    const kind = stringField(doc, "kind");
    if (!apiVersion || !kind || isKustomizeConfig(apiVersion.value, kind.value)) continue;
    const key = `${apiVersion.value}\n${kind.value}`;
    let pending = lookups.get(key);
    if (!pending) lookups.set(key, (pending = schemaFor(apiVersion.value, kind.value)));
    const found = await pending;
    const walker = new SchemaWalker(p, doc);
    if (found.found) walker.check(doc.contents as Node, found.schema, "", null);
    else {
      const hint = found.suggestions[0] ? ` (did you mean ${found.suggestions[0]}?)` : "";
      const target = found.reason === "apiVersion" ? apiVersion.node : kind.node;
      // An unserved group-version is usually a CRD the same sync installs: a warning, not an error.
      out.push(marker(p, target.range![0], target.range![1], found.reason === "apiVersion" ? "warning" : "error", `${found.message}${hint}`, "kubernetes"));
    }
    out.push(...walker.markers);
  }
  return out;
}
