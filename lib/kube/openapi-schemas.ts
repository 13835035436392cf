// The Kubernetes schema of each kind a cluster serves, from its OpenAPI v3 documents: fetched
// per group-version, cached in memory (bounded) under the server's content hash, compiled lazily.
import { KubeError, kubeRequest, type KubeClient } from "./transport";

export type JsonType = "string" | "integer" | "number" | "boolean" | "object" | "array";

/** One OpenAPI schema with $ref and allOf resolved; children are compiled on first access. */
export interface KubeSchema {
  /** Accepted JSON types; null accepts anything (no type, or a union this checker cannot narrow). */
  readonly types: ReadonlySet<JsonType> | null;
  readonly enum: readonly unknown[] | null;
  readonly nullable: boolean;
  /** x-kubernetes-preserve-unknown-fields: anything below is accepted. */
  readonly preserveUnknown: boolean;
  /** Declared property names (null when the schema lists none). */
  readonly propertyNames: readonly string[] | null;
  property(name: string): KubeSchema | undefined;
  /** What keys outside `properties` may hold: a schema, true (anything) or false (unknown field). */
  additional(): KubeSchema | boolean;
  items(): KubeSchema | null;
}

export type KindLookup = { found: true; schema: KubeSchema } | { found: false; reason: "apiVersion" | "kind"; message: string; suggestions: string[] };

type Raw = Record<string, unknown>;
interface Gvk {
  group: string;
  version: string;
  kind: string;
}

// ------------------------------------------------------------------ compiling

const ANY: KubeSchema = {
  types: null,
  enum: null,
  nullable: true,
  preserveUnknown: true,
  propertyNames: null,
  property: () => undefined,
  additional: () => true,
  items: () => null,
};

/** The schemas of one group-version document, compiled on demand (memoised per raw object). */
class CompiledDoc {
  private readonly memo = new WeakMap<object, KubeSchema>();
  private readonly byKind = new Map<string, KubeSchema>();
  /** "group/version/kind" -> component schema name. */
  readonly kinds = new Map<string, string>();

  constructor(private readonly schemas: Record<string, Raw>) {
    for (const [name, schema] of Object.entries(schemas)) {
      for (const gvk of (schema["x-kubernetes-group-version-kind"] as Gvk[] | undefined) ?? []) {
        const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
        // DeleteOptions, WatchEvent & co. carry every group's GVK; the kind's own type wins.
        if (!this.kinds.has(key) || name.endsWith(`.${gvk.kind}`)) this.kinds.set(key, name);
      }
    }
  }

  kindsIn(group: string, version: string): string[] {
    const prefix = `${group}/${version}/`;
    return [...this.kinds.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  kind(group: string, version: string, kind: string): KubeSchema | undefined {
    const key = `${group}/${version}/${kind}`;
    let schema = this.byKind.get(key);
    if (!schema) {
      const name = this.kinds.get(key);
      if (!name) return undefined;
      schema = this.compile(this.schemas[name]!);
      this.byKind.set(key, schema);
    }
    return schema;
  }

  private deref(raw: Raw): Raw | undefined {
    const ref = raw.$ref;
    if (typeof ref !== "string") return raw;
    const m = ref.match(/^#\/components\/schemas\/(.+)$/);
    return m ? this.schemas[decodeURIComponent(m[1]!.replace(/~1/g, "/").replace(/~0/g, "~"))] : undefined;
  }

  /** The schema itself plus everything it pulls in through $ref and allOf. */
  private parts(raw: Raw, out: Raw[] = [], depth = 0): Raw[] {
    const target = this.deref(raw);
    if (!target || depth > 32) return out;
    out.push(target);
    if (target !== raw) out.push(raw); // siblings of $ref (nullable, enum) still count
    for (const sub of (target.allOf as Raw[] | undefined) ?? []) this.parts(sub, out, depth + 1);
    return out;
  }

  private unionTypes(branches: Raw[]): Set<JsonType> | null {
    const all = new Set<JsonType>();
    for (const branch of branches) {
      const t = this.typesOf(this.parts(branch));
      if (!t) return null;
      t.forEach((x) => all.add(x));
    }
    return all;
  }

  private typesOf(parts: Raw[]): Set<JsonType> | null {
    for (const p of parts) {
      if (p["x-kubernetes-int-or-string"] === true || p.format === "int-or-string") return new Set(["integer", "string"]);
    }
    for (const p of parts) if (typeof p.type === "string") return new Set([p.type as JsonType]);
    for (const p of parts) {
      const branches = (p.oneOf ?? p.anyOf) as Raw[] | undefined;
      if (Array.isArray(branches) && branches.length) return this.unionTypes(branches);
    }
    return null;
  }

  compile(raw: Raw): KubeSchema {
    const cached = this.memo.get(raw);
    if (cached) return cached;
    const parts = this.parts(raw);
    if (parts.length === 0) return ANY;
    const preserveUnknown = parts.some((p) => p["x-kubernetes-preserve-unknown-fields"] === true);
    const props: Record<string, Raw> = {};
    let hasProps = false;
    let additionalRaw: unknown = undefined;
    let itemsRaw: Raw | undefined;
    let enumValues: unknown[] | null = null;
    for (const p of parts) {
      if (p.properties && typeof p.properties === "object") {
        hasProps = true;
        for (const [k, v] of Object.entries(p.properties as Record<string, Raw>)) props[k] ??= v;
      }
      if (additionalRaw === undefined && p.additionalProperties !== undefined) additionalRaw = p.additionalProperties;
      if (!itemsRaw && p.items && typeof p.items === "object") itemsRaw = p.items as Raw;
      if (!enumValues && Array.isArray(p.enum)) enumValues = p.enum;
    }
    let types = this.typesOf(parts);
    if (!types && (hasProps || additionalRaw !== undefined)) types = new Set(["object"]);
    const propCache = new Map<string, KubeSchema>();
    let additional: KubeSchema | boolean | undefined;
    let items: KubeSchema | null | undefined;
    const doc = this;
    const schema: KubeSchema = {
      types,
      enum: enumValues,
      nullable: parts.some((p) => p.nullable === true),
      preserveUnknown,
      propertyNames: hasProps ? Object.keys(props) : null,
      property(name) {
        if (!Object.hasOwn(props, name)) return undefined;
        let s = propCache.get(name);
        if (!s) propCache.set(name, (s = doc.compile(props[name]!)));
        return s;
      },
      additional() {
        if (additional === undefined) {
          if (additionalRaw && typeof additionalRaw === "object") additional = doc.compile(additionalRaw as Raw);
          else if (additionalRaw === true || additionalRaw === false) additional = additionalRaw;
          // No properties and no additionalProperties: a free-form object.
          else additional = !hasProps;
        }
        return additional;
      },
      items() {
        if (items === undefined) items = itemsRaw ? doc.compile(itemsRaw) : null;
        return items;
      },
    };
    this.memo.set(raw, schema);
    return schema;
  }
}

/** Drops description strings (most of a document's bytes); a property named "description" stays. */
function stripDescriptions(value: unknown): void {
  if (Array.isArray(value)) value.forEach(stripDescriptions);
  else if (value && typeof value === "object") {
    const obj = value as Raw;
    if (typeof obj.description === "string") delete obj.description;
    for (const v of Object.values(obj)) if (v && typeof v === "object") stripDescriptions(v);
  }
}

// ------------------------------------------------------------------ caching

interface DocEntry {
  hash: string;
  weight: number;
  doc: Promise<CompiledDoc>;
}

/** Bound on cached documents, counted in component schemas (core/v1 has ~300, apps/v1 ~170). */
export const MAX_CACHED_SCHEMAS = 20_000;
const INDEX_TTL_MS = 30_000;
/** A group-version missing from the index is re-checked at most this often (a CRD just installed). */
const MISS_RECHECK_MS = 2_000;

// One LRU over every cluster: key "clusterId|group-version path" (Map order = recency).
const docs = new Map<string, DocEntry>();
let cachedWeight = 0;

function touch(key: string, entry: DocEntry) {
  docs.delete(key);
  docs.set(key, entry);
}

function drop(key: string) {
  const entry = docs.get(key);
  if (!entry) return;
  docs.delete(key);
  cachedWeight -= entry.weight;
}

function evict() {
  for (const key of docs.keys()) {
    if (cachedWeight <= MAX_CACHED_SCHEMAS || docs.size <= 1) break;
    drop(key);
  }
}

interface IndexState {
  fetchedAt: number;
  /** "apis/apps/v1" -> "/openapi/v3/apis/apps/v1?hash=..." */
  paths: Promise<Map<string, string>>;
}

const gvPath = (apiVersion: string) => (apiVersion.includes("/") ? `apis/${apiVersion}` : `api/${apiVersion}`);

/** Levenshtein distance where swapping two neighbours (tpye/type) also counts as one edit. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/** Candidates close to `name` (case-insensitive equal first, then small edit distance), best first. */
export function closest(name: string, candidates: Iterable<string>, max = 3): string[] {
  const lower = name.toLowerCase();
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  return [...candidates]
    .map((c) => ({ c, d: c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase()) }))
    .filter((x) => x.d <= limit && x.c !== name)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}

/** The schemas one cluster serves. Get instances from schemasForCluster so the cache is shared. */
export class ClusterSchemas {
  private index: IndexState | null = null;

  constructor(
    readonly clusterId: string,
    readonly client: KubeClient,
    private readonly opts: { timeoutMs?: number } = {},
  ) {}

  private loadIndex(force = false): Promise<Map<string, string>> {
    const now = Date.now();
    if (!force && this.index && now - this.index.fetchedAt < INDEX_TTL_MS) return this.index.paths;
    const paths = kubeRequest<{ paths: Record<string, { serverRelativeURL: string }> }>(this.client, "GET", "/openapi/v3", {
      timeoutMs: this.opts.timeoutMs ?? 10_000,
    }).then(
      (body) => new Map(Object.entries(body.paths ?? {}).map(([k, v]) => [k, v.serverRelativeURL])),
      (error) => {
        if (error instanceof KubeError && error.failure === "not_found") {
          throw new KubeError(
            "not_found",
            `Cluster ${this.client.name} does not publish OpenAPI v3 documents (GET /openapi/v3: HTTP 404; Kubernetes 1.27 or newer serves them)`,
          );
        }
        throw error;
      },
    );
    const state = { fetchedAt: now, paths };
    this.index = state;
    paths.catch(() => {
      if (this.index === state) this.index = null;
    });
    return paths;
  }

  private async docFor(path: string, url: string): Promise<CompiledDoc> {
    const key = `${this.clusterId}|${path}`;
    const hash = new URL(url, "http://x").searchParams.get("hash") ?? url;
    const existing = docs.get(key);
    if (existing && existing.hash === hash) {
      touch(key, existing);
      return existing.doc;
    }
    drop(key);
    const entry: DocEntry = {
      hash,
      weight: 1,
      doc: kubeRequest<{ components?: { schemas?: Record<string, Raw> } }>(this.client, "GET", url, { timeoutMs: this.opts.timeoutMs ?? 20_000 }).then(
        (body) => {
          const schemas = body.components?.schemas ?? {};
          stripDescriptions(schemas);
          const weight = Math.max(1, Object.keys(schemas).length);
          if (docs.get(key) === entry) {
            cachedWeight += weight - entry.weight;
            entry.weight = weight;
            evict();
          }
          return new CompiledDoc(schemas);
        },
      ),
    };
    docs.set(key, entry);
    cachedWeight += entry.weight;
    entry.doc.catch(() => {
      if (docs.get(key) === entry) drop(key);
    });
    return entry.doc;
  }

  /** The schema of apiVersion/kind, or why the cluster does not know it. Network failures throw. */
  async lookup(apiVersion: string, kind: string): Promise<KindLookup> {
    const path = gvPath(apiVersion);
    let paths = await this.loadIndex();
    if (!paths.has(path) && this.index && Date.now() - this.index.fetchedAt > MISS_RECHECK_MS) paths = await this.loadIndex(true);
    const url = paths.get(path);
    const [group, version] = apiVersion.includes("/") ? (apiVersion.split("/", 2) as [string, string]) : ["", apiVersion];
    if (!url) {
      const served = [...paths.keys()]
        .filter((p) => /^apis?\/[^/]+(\/[^/]+)?$/.test(p) && (p.startsWith("api/") || p.split("/").length === 3))
        .map((p) => p.replace(/^apis?\//, ""));
      const suggestions = closest(apiVersion, served);
      return {
        found: false,
        reason: "apiVersion",
        message: `apiVersion ${apiVersion} is not served by cluster ${this.client.name} (is its CRD installed?)`,
        suggestions,
      };
    }
    const doc = await this.docFor(path, url);
    const schema = doc.kind(group, version, kind);
    if (schema) return { found: true, schema };
    const suggestions = closest(kind, doc.kindsIn(group, version));
    return { found: false, reason: "kind", message: `kind ${kind} is not served in ${apiVersion} by cluster ${this.client.name}`, suggestions };
  }
}

const globalForSchemas = globalThis as unknown as { tidelineSchemas?: Map<string, ClusterSchemas> };
const perCluster = (globalForSchemas.tidelineSchemas ??= new Map());

/** The shared schema cache of a cluster; a new client (kubeconfig edited) starts a fresh index. */
export function schemasForCluster(clusterId: string, client: KubeClient): ClusterSchemas {
  let entry = perCluster.get(clusterId);
  if (!entry || entry.client !== client) {
    entry = new ClusterSchemas(clusterId, client);
    perCluster.set(clusterId, entry);
  }
  return entry;
}

/** Forgets one cluster's (or every) cached documents. */
export function forgetSchemas(clusterId?: string): void {
  for (const key of [...docs.keys()]) if (!clusterId || key.startsWith(`${clusterId}|`)) drop(key);
  if (clusterId) perCluster.delete(clusterId);
  else perCluster.clear();
}

/** What the cache holds (for tests and benchmarks). */
export function schemaCacheStats() {
  return { documents: docs.size, schemas: cachedWeight, limit: MAX_CACHED_SCHEMAS };
}
