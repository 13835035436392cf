// Renders what an environment's folder says should run, at one commit: plain YAML/JSON
// (read straight from Git), `kustomize build`, or `helm template`. Results are cached by
// (repository mirror, commit, path, renderer options).
import fs from "node:fs";
import path from "node:path";
import git from "isomorphic-git";
import { invalid } from "../errors";
import { normalizeRepoPath } from "../git/paths";
import { detectRenderer, type RendererKind } from "./detect";
import { assertNoDuplicates, parseManifests, type SourcedManifest } from "./manifest";
import { materializeCommit } from "./materialize";
import { assertKustomizeSourcesAllowed } from "./remote-refs";
import { renderLimits, type RenderLimits } from "./sandbox";
import { runTool, type RenderTools } from "./tools";

export interface RenderOptions {
  renderer?: RendererKind | "auto";
  helm?: { releaseName?: string; valuesFiles?: string[]; namespace?: string };
}

export interface RenderRequest extends RenderOptions {
  gitdir: string;
  commit: string;
  path: string;
  workDir: string;
  tools: RenderTools;
  /** Overrides of the operator's limits (lib/render/sandbox.ts); tests use them. */
  limits?: Partial<RenderLimits>;
}

export interface RenderResult {
  renderer: RendererKind;
  commit: string;
  manifests: SourcedManifest[];
  durationMs: number;
}

const MAX_CACHE = 200;
const cache = new Map<string, Promise<RenderResult>>();

export function renderCacheKey(r: RenderRequest): string {
  return JSON.stringify([r.gitdir, r.commit, r.path, r.renderer ?? "auto", r.helm ?? null]);
}

export function render(request: RenderRequest): Promise<RenderResult> {
  const key = renderCacheKey(request);
  const hit = cache.get(key);
  if (hit) return hit;
  const promise = doRender(request);
  cache.set(key, promise);
  promise.catch(() => cache.delete(key)); // failures are not cached: a fix upstream must show
  if (cache.size > MAX_CACHE) cache.delete(cache.keys().next().value!);
  return promise;
}

async function listFolder(gitdir: string, commit: string, dir: string) {
  try {
    const { tree } = await git.readTree({ fs, gitdir, oid: commit, filepath: dir || undefined });
    return tree;
  } catch {
    throw invalid(`Folder "${dir || "/"}" does not exist at ${commit.slice(0, 7)}`, { field: "path" });
  }
}

async function doRender(r: RenderRequest): Promise<RenderResult> {
  const started = Date.now();
  const dir = normalizeRepoPath(r.path);
  const entries = await listFolder(r.gitdir, r.commit, dir);
  const renderer = !r.renderer || r.renderer === "auto" ? detectRenderer(entries.map((e) => e.path)) : r.renderer;
  let manifests: SourcedManifest[];
  if (renderer === "plain") manifests = await renderPlain(r.gitdir, r.commit, dir);
  else {
    const root = await materializeCommit(r.gitdir, r.commit, r.workDir);
    const abs = path.join(root, dir);
    const limits = { ...renderLimits(), ...r.limits };
    if (renderer === "kustomize") {
      assertKustomizeSourcesAllowed(root, dir, limits.remoteHosts);
      const out = await runTool(r.tools.kustomize, [abs], { cwd: root, what: `kustomize build ${dir || "."}`, limits });
      manifests = parseManifests(out, `kustomize build ${dir || "."}`);
    } else {
      const values = (r.helm?.valuesFiles ?? []).flatMap((f) => ["-f", path.join(abs, safeRelative(f))]);
      const release = r.helm?.releaseName || path.basename(dir || "release");
      const ns = r.helm?.namespace ? ["--namespace", r.helm.namespace] : [];
      const out = await runTool(r.tools.helm, [release, abs, ...ns, ...values], { cwd: root, what: `helm template ${dir || "."}`, limits });
      manifests = parseManifests(out, `helm template ${dir || "."}`);
    }
  }
  assertNoDuplicates(manifests);
  return { renderer, commit: r.commit, manifests, durationMs: Date.now() - started };
}

function safeRelative(file: string): string {
  const n = normalizeRepoPath(file, "valuesFiles");
  if (!n) throw invalid("A values file path is empty", { field: "valuesFiles" });
  return n;
}

async function renderPlain(gitdir: string, commit: string, dir: string): Promise<SourcedManifest[]> {
  // Walk trees and read blobs by object id: reading by path re-walks from the commit for
  // every file, which made a 1,000-file folder 7x slower.
  const cacheObj = {};
  const files: Array<{ path: string; oid: string }> = [];
  const jsonnet: string[] = [];
  async function walk(treeOid: string, rel: string) {
    const { tree } = await git.readTree({ fs, gitdir, oid: treeOid, cache: cacheObj });
    for (const e of tree) {
      const p = rel ? `${rel}/${e.path}` : e.path;
      if (e.type === "tree") await walk(e.oid, p);
      else if (e.type === "blob" && /\.(ya?ml|json)$/i.test(e.path)) files.push({ path: p, oid: e.oid });
      else if (e.type === "blob" && /\.(jsonnet|libsonnet)$/i.test(e.path)) jsonnet.push(p);
    }
  }
  const { oid: rootOid } = await git.readTree({ fs, gitdir, oid: commit, filepath: dir || undefined, cache: cacheObj });
  await walk(rootOid, dir);
  // A folder with nothing Tideline can render is an error, never an empty (and so "Synced") render.
  // An empty YAML file still renders empty on purpose (with "allow empty renders" that prunes everything).
  if (files.length === 0) {
    const where = dir || "/";
    if (jsonnet.length) {
      const names = jsonnet.slice(0, 3).join(", ") + (jsonnet.length > 3 ? `, +${jsonnet.length - 3} more` : "");
      throw invalid(
        `${where}: no Kubernetes manifests found; Jsonnet is not supported (found ${names}). Render it to YAML in CI and commit the output, or use Kustomize or Helm`,
        { field: "path", path: where },
      );
    }
    throw invalid(`${where}: no Kubernetes manifests found (no .yaml, .yml or .json files); Tideline renders plain YAML/JSON, Kustomize and Helm folders`, {
      field: "path",
      path: where,
    });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const out: SourcedManifest[] = [];
  for (const file of files) {
    const { blob } = await git.readBlob({ fs, gitdir, oid: file.oid, cache: cacheObj });
    out.push(...parseManifests(Buffer.from(blob).toString("utf8"), file.path));
  }
  return out;
}
