// A unified diff of two YAML documents for `env diff` (live -> desired), with a few lines of
// context like `diff -u`; an LCS table is plenty for Kubernetes objects (hundreds of lines).
const CONTEXT = 3;

export function unifiedDiff(from: string, to: string, labels: [string, string]): string {
  const a = from ? from.replace(/\n$/, "").split("\n") : [];
  const b = to ? to.replace(/\n$/, "").split("\n") : [];
  if (a.length * b.length > 25_000_000) return `--- ${labels[0]}\n+++ ${labels[1]}\n(too large to diff here: ${a.length} and ${b.length} lines)`;
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: Array<{ t: " " | "-" | "+"; line: string; ai: number; bi: number }> = [];
  let [i, j] = [0, 0];
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push({ t: " ", line: a[i]!, ai: i++, bi: j++ });
    else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push({ t: "+", line: b[j]!, ai: i, bi: j++ });
    else ops.push({ t: "-", line: a[i]!, ai: i++, bi: j });
  }
  if (!ops.some((o) => o.t !== " ")) return "";
  const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.t === " ") {
      k++;
      continue;
    }
    // A hunk: from CONTEXT lines before this change to CONTEXT lines after the last change near it.
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    for (let m = k; m < ops.length && m <= end + 2 * CONTEXT; m++) if (ops[m]!.t !== " ") end = m;
    const stop = Math.min(ops.length, end + CONTEXT + 1);
    const hunk = ops.slice(start, stop);
    const aLen = hunk.filter((o) => o.t !== "+").length;
    const bLen = hunk.filter((o) => o.t !== "-").length;
    out.push(`@@ -${hunk[0]!.ai + (aLen ? 1 : 0)},${aLen} +${hunk[0]!.bi + (bLen ? 1 : 0)},${bLen} @@`);
    for (const o of hunk) out.push(`${o.t}${o.line}`);
    k = stop;
  }
  return out.join("\n");
}
