// Normalizes desired (server-side dry-run) and live objects so they can be compared and diffed:
// server-set fields stripped, Secret values masked with a keyed fingerprint, keys sorted.
import { createHash, createHmac, randomBytes } from "node:crypto";

export interface KubeObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
  [k: string]: unknown;
}

/** Same mask as lib/clusters/live-objects.ts (not imported: that module pulls in the cluster registry). */
export const MASK = "••••••••";

/** metadata fields the API server sets; they differ between a dry-run and the live object. */
export const SERVER_SET_METADATA = ["managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink"] as const;

/** Annotations written by tooling/controllers, not by the manifest author. */
export const IGNORED_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision"] as const;

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const MASKED_VALUE = /^•{8} \(sha256:[0-9a-f]{8}\)$/;

/** Per-process key for Secret fingerprints: equal values compare equal within this process only. */
const processSalt = randomBytes(32);

type Plain = Record<string, unknown>;
const isPlainObject = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

/** Deep copy with object keys sorted and undefined members dropped (JSON semantics). */
export function canonicalize<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : canonicalize(v))) as T;
  if (!isPlainObject(value)) return value;
  const out: Plain = {};
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    if (v !== undefined) out[key] = canonicalize(v);
  }
  return out as T;
}

export const canonicalJson = (value: unknown): string => JSON.stringify(canonicalize(value)) ?? "null";

/** "•••••••• (sha256:1a2b3c4d)": reveals nothing, yet differs when the value differs. */
export function secretFingerprint(value: string, salt: string | Buffer): string {
  return `${MASK} (sha256:${createHmac("sha256", salt).update(value).digest("hex").slice(0, 8)})`;
}

/**
 * Masks a Secret's values. stringData is write-only (the API server folds it into data), so its
 * entries are first folded into data as base64 (stringData wins on a shared key, as in Kubernetes)
 * and stringData is dropped; desired `stringData: {a: "x"}` then equals live `data: {a: "eA=="}`.
 * Each data value becomes secretFingerprint(base64 value). Already-masked values are kept as they
 * are (a real data value is base64 and can never look like a mask), so this is idempotent.
 * Non-Secrets are returned unchanged. The input is never modified.
 */
export function maskSecretValues<T extends KubeObjectLike>(obj: T, salt: string | Buffer): T {
  if (obj.kind !== "Secret") return obj;
  const data: Plain = isPlainObject(obj.data) ? { ...obj.data } : {};
  if (isPlainObject(obj.stringData)) {
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v ?? ""), "utf8").toString("base64");
  }
  const masked: KubeObjectLike = { ...obj };
  delete masked.stringData;
  if (obj.data !== undefined || obj.stringData !== undefined) {
    masked.data = Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, typeof v === "string" && MASKED_VALUE.test(v) ? v : secretFingerprint(String(v ?? ""), salt)]),
    );
  }
  const annotations = obj.metadata?.annotations;
  if (isPlainObject(annotations) && annotations[LAST_APPLIED] !== undefined) {
    masked.metadata = { ...obj.metadata, annotations: { ...annotations, [LAST_APPLIED]: MASK } };
  }
  return masked as T;
}

/** Masks with the per-process salt (what normalizeForDiff uses by default). */
export const maskWithProcessSalt = <T extends KubeObjectLike>(obj: T): T => maskSecretValues(obj, processSalt);

/** Drops metadata.labels / metadata.annotations when they are empty (or not maps). Mutates `metadata`. */
export function dropEmptyMetadataMaps(metadata: Plain): void {
  for (const field of ["labels", "annotations"]) {
    const value = metadata[field];
    if (value === null || (isPlainObject(value) && Object.keys(value).length === 0)) delete metadata[field];
  }
}

/**
 * A deep, key-sorted copy without server-set fields (SERVER_SET_METADATA, status, IGNORED_ANNOTATIONS)
 * and with Secret values masked (see maskSecretValues). ownerReferences are kept. Idempotent.
 */
export function normalizeForDiff(obj: KubeObjectLike, salt: string | Buffer = processSalt): KubeObjectLike {
  const copy = canonicalize(obj);
  delete copy.status;
  if (isPlainObject(copy.metadata)) {
    for (const field of SERVER_SET_METADATA) delete copy.metadata[field];
    const annotations = copy.metadata.annotations;
    if (isPlainObject(annotations)) for (const key of IGNORED_ANNOTATIONS) delete annotations[key];
    dropEmptyMetadataMaps(copy.metadata);
  }
  return canonicalize(maskSecretValues(copy, salt));
}

/** Deep equality; pass objects that went through normalizeForDiff (and applyIgnoreRules). */
export function objectsEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** sha256 (hex) of the canonical JSON: key order does not matter. Cache key for desired objects. */
export function stableHash(obj: unknown): string {
  return createHash("sha256").update(canonicalJson(obj)).digest("hex");
}
