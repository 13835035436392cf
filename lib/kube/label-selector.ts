// Kubernetes label selectors (equality- and set-based), evaluated against cached objects.
import { invalid } from "../errors";

type Requirement = (labels: Record<string, string>) => boolean;

export function parseLabelSelector(selector: string | undefined): Requirement {
  if (!selector?.trim()) return () => true;
  const parts = splitTopLevel(selector);
  const reqs = parts.map(parseRequirement);
  return (labels) => reqs.every((r) => r(labels));
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function parseRequirement(raw: string): Requirement {
  let m = raw.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/);
  if (m) {
    const [, key, op, list] = m as unknown as [string, string, string, string];
    const values = new Set(
      list
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean),
    );
    return op === "in" ? (l) => key in l && values.has(l[key]!) : (l) => !(key in l) || !values.has(l[key]!);
  }
  m = raw.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    return op === "!=" ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  m = raw.match(/^(!?)([\w./-]+)$/);
  if (m) {
    const [, not, key] = m as unknown as [string, string, string];
    return not ? (l) => !(key in l) : (l) => key in l;
  }
  throw invalid(`Label selector part "${raw}" is not valid (examples: app=web, tier in (a,b), !legacy)`, { field: "labelSelector" });
}
