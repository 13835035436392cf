// Text for the side-by-side YAML diff and a short list of what changed between desired and live.
// Both mask Secret values again (idempotent), so even un-normalized input never shows them.
import { stringify } from "yaml";
import { canonicalize, maskWithProcessSalt, type KubeObjectLike } from "./normalize";
import { escapePointerToken } from "./ignore-rules";

export const MAX_CHANGES = 50;

export interface Change {
  /** JSON pointer (RFC 6901) of the differing value. */
  path: string;
  /** undefined when the value is absent on that side. */
  desired: unknown;
  live: unknown;
}

/** Stable YAML (sorted keys, no line folding) of a normalized object, for Monaco's diff editor. */
export function toDiffYaml(obj: KubeObjectLike): string {
  return stringify(canonicalize(maskWithProcessSalt(obj)), { lineWidth: 0, sortMapEntries: true });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function collect(desired: unknown, live: unknown, path: string, out: Change[]): void {
  if (out.length >= MAX_CHANGES) return;
  if (Array.isArray(desired) && Array.isArray(live)) {
    // Element-wise; extra elements on either side are reported one by one (other side undefined).
    for (let i = 0; i < Math.max(desired.length, live.length); i++) collect(desired[i], live[i], `${path}/${i}`, out);
    return;
  }
  if (isPlainObject(desired) && isPlainObject(live)) {
    const keys = [...new Set([...Object.keys(desired), ...Object.keys(live)])].sort();
    for (const key of keys) collect(desired[key], live[key], `${path}/${escapePointerToken(key)}`, out);
    return;
  }
  if (JSON.stringify(canonicalize(desired)) !== JSON.stringify(canonicalize(live))) out.push({ path, desired, live });
}

/**
 * Leaf-level differences as JSON pointers, in key order, at most MAX_CHANGES entries. A subtree
 * present on one side only is reported once, as a whole. Pass normalized objects.
 */
export function summarizeChanges(desired: KubeObjectLike, live: KubeObjectLike): Change[] {
  const out: Change[] = [];
  collect(canonicalize(maskWithProcessSalt(desired)), canonicalize(maskWithProcessSalt(live)), "", out);
  return out;
}
