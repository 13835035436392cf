// Chooses the newest allowed tag of an image (like Flux's ImagePolicy): semver ranges, regex filter +
// extract with alphabetical/numeric order, or plain integer tags; unparsable tags are skipped with a reason.
import semver from "semver";
import { z } from "zod";
import { AppError } from "../errors";

const order = z.enum(["asc", "desc"]).default("asc"); // asc: the highest value wins

export const tagPolicySchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("semver"), range: z.string().trim().min(1, "Give a semver range, e.g. >=1.2.0 <2 or ^1.4").max(500) }).superRefine((p, ctx) => {
    if (!semver.validRange(p.range))
      ctx.addIssue({ code: "custom", path: ["range"], message: `"${p.range}" is not a valid semver range (e.g. >=1.2.0 <2, ^1.4, ~2.0, 1.x, *)` });
  }),
  z
    .object({
      type: z.literal("regex"),
      pattern: z.string().min(1, "Give a regular expression").max(500),
      extract: z.string().max(200).default(""), // "" keeps the whole tag; "$1", "$name", "${name}", "$0" (whole match)
      order,
      sort: z.enum(["numeric", "alphabetical"]).default("alphabetical"),
    })
    .superRefine((p, ctx) => {
      const problem = regexProblem(p.pattern, p.extract);
      if (problem) ctx.addIssue({ code: "custom", path: [problem.field], message: problem.message });
    }),
  z.object({ type: z.literal("numeric"), order }),
]);
export type TagPolicy = z.infer<typeof tagPolicySchema>;
export type TagPolicyInput = z.input<typeof tagPolicySchema>;

export interface TagSelection {
  tag: string | null;
  considered: number; // tags that parsed and passed the policy's filter
  skipped: Array<{ tag: string; reason: string }>;
}

type Value = semver.SemVer | string | { int: bigint | null; num: number };
type Parsed = { value: Value } | { reason: string };
interface Ranker {
  parse(tag: string): Parsed;
  reject?(value: Value): string | null; // why a parsed tag is still not allowed (range)
  compare(a: Value, b: Value): number; // > 0 when a is newer (preferred) than b
}

/** The newest tag the policy allows, and why each other tag was left out. Never throws for odd tags. */
export function selectTag(tags: readonly string[], policy: TagPolicyInput): TagSelection {
  const ranker = compile(policy);
  const skipped: TagSelection["skipped"] = [];
  let best: { tag: string; value: Value } | null = null;
  let considered = 0;
  for (const tag of new Set(tags)) {
    const parsed = ranker.parse(tag);
    if ("reason" in parsed) {
      skipped.push({ tag, reason: parsed.reason });
      continue;
    }
    const rejected = ranker.reject?.(parsed.value);
    if (rejected) {
      skipped.push({ tag, reason: rejected });
      continue;
    }
    considered++;
    // Equal versions (v1.2.3 vs 1.2.3) are broken by the tag text, so the registry's order never matters.
    const c = best ? ranker.compare(parsed.value, best.value) : 1;
    if (!best || c > 0 || (c === 0 && tag > best.tag)) best = { tag, value: parsed.value };
  }
  return { tag: best?.tag ?? null, considered, skipped };
}

/** Orders two tags by the policy: > 0 when a is newer than b, < 0 when older, 0 when equal.
 *  A tag the policy cannot parse is older than any tag it can (two such tags compare equal). */
export function compareTags(policy: TagPolicyInput, a: string, b: string): number {
  const ranker = compile(policy);
  const pa = ranker.parse(a);
  const pb = ranker.parse(b);
  if ("reason" in pa || "reason" in pb) return ("reason" in pa ? 0 : 1) - ("reason" in pb ? 0 : 1);
  return Math.sign(ranker.compare(pa.value, pb.value));
}

/** True when moving from `current` to `candidate` would go back to an older version.
 *  False when there is no current tag or it does not parse under the policy (nothing to compare). */
export function isDowngrade(policy: TagPolicyInput, current: string | null | undefined, candidate: string): boolean {
  if (!current) return false;
  const ranker = compile(policy);
  const pc = ranker.parse(current);
  const pn = ranker.parse(candidate);
  if ("reason" in pc || "reason" in pn) return false;
  return ranker.compare(pn.value, pc.value) < 0;
}

function compile(input: TagPolicyInput): Ranker {
  const result = tagPolicySchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length ? issue.path.join(".") : "type";
    throw new AppError("invalid", `Tag policy ${field}: ${issue.message}`, { field });
  }
  const policy = result.data;
  if (policy.type === "semver") return semverRanker(policy.range);
  if (policy.type === "numeric") return numericRanker(policy.order);
  return regexRanker(policy.pattern, policy.extract, policy.sort, policy.order);
}

function semverRanker(rangeText: string): Ranker {
  // Prereleases count only when the range names one (">=2.0.0-rc.1"), as in Flux.
  const includePrerelease = /\d+\.\d+\.\d+-[0-9A-Za-z]/.test(rangeText);
  const range = new semver.Range(rangeText, { includePrerelease });
  return {
    parse(tag) {
      const v = semver.parse(tag.replace(/^[vV](?=\d)/, ""));
      return v ? { value: v } : { reason: 'not a semantic version (MAJOR.MINOR.PATCH, optionally with a leading "v")' };
    },
    reject(value) {
      const v = value as semver.SemVer;
      if (range.test(v)) return null;
      if (v.prerelease.length && !includePrerelease) return `prerelease ${v.version} is left out: the range "${rangeText}" names no prerelease`;
      return `${v.version} is outside the range "${rangeText}"`;
    },
    compare: (a, b) => semver.compareBuild(a as semver.SemVer, b as semver.SemVer),
  };
}

function numericRanker(direction: "asc" | "desc"): Ranker {
  const sign = direction === "asc" ? 1 : -1;
  return {
    parse: (tag) => (/^\d+$/.test(tag) ? { value: { int: BigInt(tag), num: Number(tag) } } : { reason: "not an integer tag" }),
    compare: (a, b) => sign * compareNumbers(a as { int: bigint; num: number }, b as { int: bigint; num: number }),
  };
}

function regexRanker(pattern: string, extract: string, sort: "numeric" | "alphabetical", direction: "asc" | "desc"): Ranker {
  const re = toRegExp(pattern);
  const sign = direction === "asc" ? 1 : -1;
  return {
    parse(tag) {
      const m = re.exec(tag);
      if (!m) return { reason: `does not match the pattern ${pattern}` };
      const value = extract === "" ? tag : expand(extract, m);
      if (value === "") return { reason: `the pattern matched but "${extract}" extracted nothing` };
      if (sort === "alphabetical") return { value };
      const num = parseNumber(value);
      return num ? { value: num } : { reason: `extracted "${value}", which is not a number` };
    },
    compare(a, b) {
      if (sort === "numeric") return sign * compareNumbers(a as { int: bigint | null; num: number }, b as { int: bigint | null; num: number });
      return sign * (a < b ? -1 : a > b ? 1 : 0);
    },
  };
}

function compareNumbers(a: { int: bigint | null; num: number }, b: { int: bigint | null; num: number }): number {
  if (a.int !== null && b.int !== null) return a.int < b.int ? -1 : a.int > b.int ? 1 : 0;
  return a.num < b.num ? -1 : a.num > b.num ? 1 : 0;
}

function parseNumber(text: string): { int: bigint | null; num: number } | null {
  if (/^[+-]?\d+$/.test(text)) return { int: BigInt(text), num: Number(text) };
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return { int: null, num: Number(text) };
  return null;
}

/** JS RegExp from a Flux-style (Go RE2) pattern: `(?P<name>` becomes `(?<name>`, a leading `(?i)` the i flag. */
function toRegExp(pattern: string): RegExp {
  let source = pattern.replace(/\(\?P</g, "(?<");
  let flags = "";
  if (source.startsWith("(?i)")) {
    source = source.slice(4);
    flags = "i";
  }
  return new RegExp(source, flags);
}

const REFERENCE = /\$(?:\$|\{(\w+)\}|(\w+))/g;

/** Go's Regexp.Expand rules: $1, $name, ${name}, $$ for a dollar sign; $0 is the whole match. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(REFERENCE, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare;
    if (name === undefined) return "$";
    return (/^\d+$/.test(name) ? m[Number(name)] : m.groups?.[name]) ?? "";
  });
}

function regexProblem(pattern: string, extract: string): { field: "pattern" | "extract"; message: string } | null {
  let re: RegExp;
  try {
    re = toRegExp(pattern);
  } catch (error) {
    return { field: "pattern", message: `not a valid regular expression: ${(error as Error).message}` };
  }
  // Matching the empty alternative reveals how many groups (and which names) the pattern has.
  const probe = new RegExp(`${re.source}|`, re.flags).exec("")!;
  const names = new Set(Object.keys(probe.groups ?? {}));
  for (const [, braced, bare] of extract.matchAll(REFERENCE)) {
    const name = braced ?? bare;
    if (name === undefined) continue;
    if (/^\d+$/.test(name) ? Number(name) > probe.length - 1 : !names.has(name)) {
      const has = names.size ? `named groups: ${[...names].join(", ")}` : `${probe.length - 1} numbered group(s)`;
      return { field: "extract", message: `"$${name}" refers to a group the pattern does not have (it has ${has})` };
    }
  }
  return null;
}
