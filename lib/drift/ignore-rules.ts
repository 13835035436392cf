// Per-environment ignore rules: JSON pointers (RFC 6901) removed from matching objects before
// drift comparison, e.g. {kind: "Deployment", jsonPointers: ["/spec/replicas"]} under an HPA.
import { z } from "zod";
import { invalid } from "../errors";
import { dropEmptyMetadataMaps, type KubeObjectLike } from "./normalize";

/** null when valid, otherwise why not. "" (the whole document) is not allowed: ignore the object instead. */
export function pointerProblem(pointer: string): string | null {
  if (!pointer.startsWith("/")) return `JSON pointer ${JSON.stringify(pointer)} must start with "/" (e.g. "/spec/replicas")`;
  if (/~(?![01])/.test(pointer)) return `JSON pointer ${JSON.stringify(pointer)} has "~" not followed by 0 or 1 (write "~0" for "~" and "~1" for "/")`;
  return null;
}

const jsonPointer = z.string().check((ctx) => {
  const problem = pointerProblem(ctx.value);
  if (problem) ctx.issues.push({ code: "custom", message: problem, input: ctx.value });
});

export const ignoreRuleSchema = z.object({
  kind: z.string().optional(),
  group: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  jsonPointers: z.array(jsonPointer).min(1, "List at least one JSON pointer"),
});
export type IgnoreRule = z.infer<typeof ignoreRuleSchema>;

/** A list of rules; every message names the rule, e.g. `Ignore rule 2, jsonPointers[0]: JSON pointer "spec" must start with "/"`. */
export const ignoreRulesSchema = z.array(z.unknown()).transform((rules, ctx): IgnoreRule[] => {
  const parsed: IgnoreRule[] = [];
  rules.forEach((rule, index) => {
    const result = ignoreRuleSchema.safeParse(rule);
    if (result.success) return void parsed.push(result.data);
    for (const issue of result.error.issues) {
      const where = issue.path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "");
      const label = where ? `Ignore rule ${index}, ${where}` : `Ignore rule ${index}`;
      ctx.issues.push({ code: "custom", message: `${label}: ${issue.message}`, input: rule, path: [index, ...issue.path] });
    }
  });
  return parsed;
});

/** Parses stored/submitted rules or throws invalid() with every problem listed. */
export function parseIgnoreRules(input: unknown): IgnoreRule[] {
  const result = ignoreRulesSchema.safeParse(input);
  if (result.success) return result.data;
  throw invalid(result.error.issues.map((i) => i.message).join("; "), {
    issues: result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  });
}

/** "/metadata/annotations/example.com~1foo" → ["metadata", "annotations", "example.com/foo"]. */
export function parsePointer(pointer: string): string[] {
  const problem = pointerProblem(pointer);
  if (problem) throw invalid(problem);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export const escapePointerToken = (token: string | number): string => String(token).replace(/~/g, "~0").replace(/\//g, "~1");

/** "apps/v1" → "apps", "v1" → "" (the core group). */
export const groupOf = (apiVersion: string | undefined): string => (apiVersion?.includes("/") ? apiVersion.split("/")[0]! : "");

export function ruleMatches(rule: IgnoreRule, obj: KubeObjectLike): boolean {
  const metadata = obj.metadata ?? {};
  return (
    (rule.kind === undefined || rule.kind === obj.kind) &&
    (rule.group === undefined || rule.group === groupOf(obj.apiVersion)) &&
    (rule.name === undefined || rule.name === metadata.name) &&
    (rule.namespace === undefined || rule.namespace === (metadata.namespace ?? ""))
  );
}

const REMOVED = Symbol("removed");
const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] => typeof v === "object" && v !== null;
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/** Marks the pointer's target with REMOVED; missing paths are ignored ("-" never matches). */
function mark(root: unknown, tokens: string[]): void {
  let node = root;
  for (const [i, token] of tokens.entries()) {
    if (!isContainer(node)) return;
    const last = i === tokens.length - 1;
    if (Array.isArray(node)) {
      if (!ARRAY_INDEX.test(token) || Number(token) >= node.length) return;
      if (last) node[Number(token)] = REMOVED;
      else node = node[Number(token)];
    } else {
      if (!Object.hasOwn(node, token)) return;
      if (last) node[token] = REMOVED;
      else node = node[token];
    }
  }
}

/** Copies `value` without REMOVED entries (array elements after a removed one shift down). */
function sweep(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== REMOVED).map(sweep);
  if (!isContainer(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== REMOVED)
      .map(([k, v]) => [k, sweep(v)]),
  );
}

/**
 * A copy of `obj` without the paths named by matching rules. All pointers are resolved against the
 * original object, so "/spec/containers/0" and "/spec/containers/1" remove both containers.
 * Labels/annotations maps left empty are dropped, as normalizeForDiff does. Returns `obj` itself
 * when no rule matches; never modifies it.
 */
export function applyIgnoreRules<T extends KubeObjectLike>(obj: T, rules: readonly IgnoreRule[]): T {
  const pointers = rules.filter((rule) => ruleMatches(rule, obj)).flatMap((rule) => rule.jsonPointers);
  if (pointers.length === 0) return obj;
  const working = structuredClone(obj);
  for (const pointer of pointers) mark(working, parsePointer(pointer));
  const result = sweep(working) as T;
  if (result.metadata && typeof result.metadata === "object") dropEmptyMetadataMaps(result.metadata);
  return result;
}
