// Checks every kustomization an environment's build reaches before kustomize runs: a remote
// resource, base, component, patch or helm chart (URL, git@host:..., github.com/org/repo) would
// make the server fetch an address a developer chose, so it is refused unless its host is on the
// operator's allow-list; local references must stay inside the repository.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { invalid } from "../errors";
import { parseYamlValue } from "../limits/yaml";
import { KUSTOMIZATION_FILES } from "./detect";

type Kind = "dir-or-file" | "file" | "url";

// Kustomization fields that name other files, folders or URLs (kustomize loads files over
// http(s) too), and what kind of reference each holds.
const LIST_FIELDS: Record<string, Kind> = {
  resources: "dir-or-file",
  bases: "dir-or-file",
  components: "dir-or-file",
  generators: "dir-or-file",
  transformers: "dir-or-file",
  validators: "dir-or-file",
  crds: "file",
  configurations: "file",
  patchesStrategicMerge: "file",
};

interface Ref {
  field: string;
  value: string;
  kind: Kind;
}

function refsOf(k: Record<string, unknown>): Ref[] {
  const refs: Ref[] = [];
  const add = (field: string, value: unknown, kind: Kind) => {
    if (typeof value === "string" && value.trim()) refs.push({ field, value: value.trim(), kind });
  };
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  for (const [field, kind] of Object.entries(LIST_FIELDS)) {
    list(k[field]).forEach((v, i) => {
      // patchesStrategicMerge and transformers may hold inline YAML: only one-line values are references.
      if (typeof v === "string" && !v.includes("\n")) add(`${field}[${i}]`, v, kind);
    });
  }
  for (const field of ["patches", "patchesJson6902", "replacements"])
    list(k[field]).forEach((p, i) => add(`${field}[${i}].path`, (p as { path?: unknown })?.path, "file"));
  for (const field of ["configMapGenerator", "secretGenerator"]) {
    list(k[field]).forEach((g, i) => {
      const gen = (g ?? {}) as { files?: unknown; envs?: unknown; env?: unknown };
      // files entries are "path" or "key=path".
      list(gen.files).forEach((f, j) => add(`${field}[${i}].files[${j}]`, typeof f === "string" ? f.slice(f.indexOf("=") + 1) : f, "file"));
      list(gen.envs).forEach((f, j) => add(`${field}[${i}].envs[${j}]`, f, "file"));
      add(`${field}[${i}].env`, gen.env, "file");
    });
  }
  add("openapi.path", (k.openapi as { path?: unknown } | undefined)?.path, "file");
  list(k.helmCharts).forEach((c, i) => {
    const chart = (c ?? {}) as { repo?: unknown; valuesFile?: unknown; additionalValuesFiles?: unknown };
    add(`helmCharts[${i}].repo`, chart.repo, "url");
    add(`helmCharts[${i}].valuesFile`, chart.valuesFile, "file");
    list(chart.additionalValuesFiles).forEach((f, j) => add(`helmCharts[${i}].additionalValuesFiles[${j}]`, f, "file"));
  });
  const globals = (k.helmGlobals ?? {}) as { chartHome?: unknown; configHome?: unknown };
  add("helmGlobals.chartHome", globals.chartHome, "file");
  add("helmGlobals.configHome", globals.configHome, "file");
  return refs;
}

/** The host a remote reference would be fetched from, or null when the value is a local path. */
export function remoteHost(value: string): string | null {
  const v = value.replace(/^git::/, "");
  if (/^gh:/i.test(v)) return "github.com";
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(v);
  if (scheme) return (scheme[2]!.replace(/^[^@]*@/, "").replace(/:\d+$/, "") || "(none)").toLowerCase();
  const scp = /^[\w.-]+@([\w.-]+):/.exec(v); // git@github.com:org/repo
  if (scp) return scp[1]!.toLowerCase();
  // kustomize treats host/org/repo (github.com/org/repo//path?ref=v1) as a Git repository.
  const hostLike = /^([a-z0-9-]+(\.[a-z0-9-]+)+)(:\d+)?\//i.exec(v);
  if (hostLike) return hostLike[1]!.toLowerCase();
  return null;
}

/** Throws a 422 naming the file, the field and the URL for the first reference that is not allowed. */
export function assertKustomizeSourcesAllowed(root: string, dir: string, allowedHosts: string[]): void {
  const base = path.resolve(root);
  const queue = [path.resolve(base, dir)];
  const seen = new Set<string>();
  while (queue.length) {
    const folder = queue.shift()!;
    if (seen.has(folder)) continue;
    seen.add(folder);
    const name = KUSTOMIZATION_FILES.find((f) => existsSync(path.join(folder, f)));
    if (!name) continue;
    const file = path.relative(base, path.join(folder, name));
    const doc = parseYamlValue(readFileSync(path.join(folder, name), "utf8"), { file });
    if (!doc || typeof doc !== "object") continue;
    for (const ref of refsOf(doc as Record<string, unknown>)) {
      const host = remoteHost(ref.value);
      if (host !== null || ref.kind === "url") {
        if (host && allowedHosts.includes(host)) continue;
        const allowed = allowedHosts.length ? `allowed hosts: ${allowedHosts.join(", ")}` : "no remote host is allowed on this server";
        throw invalid(
          `${file}: ${ref.field} refers to the remote address ${ref.value}, which Tideline will not fetch (${allowed}; TIDELINE_RENDER_REMOTE_HOSTS). Vendor it into the repository instead`,
          {
            file,
            field: ref.field,
            url: ref.value,
          },
        );
      }
      const target = path.resolve(folder, ref.value);
      if (target !== base && !target.startsWith(base + path.sep)) {
        throw invalid(`${file}: ${ref.field} "${ref.value}" points outside the repository`, { file, field: ref.field });
      }
      if (ref.kind === "dir-or-file" && existsSync(target) && statSync(target).isDirectory()) queue.push(target);
    }
  }
}
