// "--timeout 5m": Go-style durations as argocd and flux take them (90s, 5m, 1h30m, or plain seconds).
import { InvalidArgumentError } from "commander";

export function parseDuration(value: string): number {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let ms = 0;
  let matched = 0;
  for (const m of value.matchAll(re)) {
    ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
    matched += m[0].length;
  }
  if (!value || matched !== value.length) throw new InvalidArgumentError(`"${value}" is not a duration (e.g. 30s, 5m, 1h)`);
  return ms;
}
