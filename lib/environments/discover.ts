// Proposes applications and environments from a repository's layout, the conventions Argo CD and
// Flux users follow: <app>/overlays/<env> (Kustomize), sibling environment folders over a shared
// base (<app>/base + <app>/staging + <app>/production, Flux's apps/ layout), Helm charts with
// values-<env>.yaml, and a folder per application (plain YAML or one kustomization). Every proposed
// environment is rendered before it is offered, so what is shown can be created and synced; the
// ones that do not render are listed with their error. Nothing is created here.
import fs from "node:fs";
import path from "node:path";
import git from "isomorphic-git";
import type { PrismaClient } from "../generated/prisma/client";
import { AppError, notFound } from "../errors";
import { mirrorPath } from "../git/mirror";
import { KUSTOMIZATION_FILES } from "../render/detect";
import { render } from "../render/render";
import { defaultTools, type RenderTools } from "../render/tools";

export interface ProposedEnvironment {
  name: string;
  path: string;
  renderer: "kustomize" | "helm" | "plain";
  namespace: string;
  helmValuesFiles: string[];
  /** Objects the environment renders to at the discovered revision. */
  objects?: number;
}
export interface Proposal {
  application: string;
  /** Which layout it was recognised from, in a sentence a person can check. */
  reason: string;
  environments: ProposedEnvironment[];
}
export interface RejectedEnvironment {
  application: string;
  environment: string;
  path: string;
  error: string;
}

const ORDER = ["dev", "development", "test", "qa", "int", "integration", "staging", "stage", "preprod", "uat", "prod", "production"];
const rank = (name: string) => (ORDER.indexOf(name) === -1 ? ORDER.length : ORDER.indexOf(name));
const dnsLabel = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63) || "app";
const MAX_DEPTH = 6;
/** Folders that hold what environments share, never an environment themselves. */
const SHARED = new Set(["base", "bases", "components", "common", "shared", "templates", "crds", "charts"]);
/** Folders that are not applications: CI, docs, and Flux's own installation. */
const SKIP = new Set(["docs", "scripts", "hack", "test", "tests", "flux-system"]);
const MANIFEST = /\.(ya?ml|json)$/i;
const sortByStage = <T extends { name: string }>(envs: T[]) => envs.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

export interface DiscoverOptions {
  dataDir: string;
  tools?: RenderTools;
}

export async function discoverEnvironments(
  prisma: PrismaClient,
  mirrorsDir: string,
  repositoryId: string,
  opts: DiscoverOptions,
): Promise<{ revision: string; proposals: Proposal[]; rejected: RejectedEnvironment[] }> {
  const repo = await prisma.repository.findUnique({ where: { id: repositoryId } });
  if (!repo) throw notFound(`Repository ${repositoryId} does not exist`);
  const branch = await prisma.branch.findUnique({ where: { repositoryId_name: { repositoryId, name: repo.defaultBranch ?? "main" } } });
  if (!branch) throw notFound(`Repository ${repo.name} has not been fetched yet`);
  const gitdir = mirrorPath(mirrorsDir, repositoryId);
  const cache = {};
  const found: Proposal[] = [];
  const readTree = async (filepath: string) => (await git.readTree({ fs, gitdir, oid: branch.headSha, filepath: filepath || undefined, cache })).tree;
  const appName = (dir: string) => dnsLabel(dir.split("/").pop() || repo.name);

  async function walk(dir: string, depth: number): Promise<void> {
    if (depth > MAX_DEPTH) return;
    const tree = await readTree(dir);
    const names = tree.map((e) => e.path);
    const folders = tree.filter((e) => e.type === "tree" && !e.path.startsWith(".") && !SKIP.has(e.path));
    if (names.includes("Chart.yaml")) {
      const app = appName(dir);
      const envs = sortByStage(
        names.flatMap((n) => {
          const env = n.match(/^values[-.]([a-z0-9-]+)\.ya?ml$/i)?.[1];
          return env ? [{ name: dnsLabel(env), path: dir, renderer: "helm" as const, namespace: dnsLabel(`${app}-${env}`), helmValuesFiles: [n] }] : [];
        }),
      );
      if (envs.length)
        found.push({ application: app, reason: `Helm chart ${dir || "/"} with ${envs.map((e) => e.helmValuesFiles[0]).join(", ")}`, environments: envs });
      else
        found.push({
          application: app,
          reason: `Helm chart ${dir || "/"} (no values-<env>.yaml: one environment)`,
          environments: [{ name: "default", path: dir, renderer: "helm", namespace: app, helmValuesFiles: [] }],
        });
      return; // a chart's templates are not environments
    }
    if (folders.some((f) => f.path === "overlays")) {
      const app = appName(dir);
      const envs: ProposedEnvironment[] = [];
      for (const o of (await readTree(join(dir, "overlays"))).filter((e) => e.type === "tree")) {
        const files = (await git.readTree({ fs, gitdir, oid: o.oid, cache })).tree.map((e) => e.path);
        if (files.some((f) => KUSTOMIZATION_FILES.includes(f)))
          envs.push({
            name: dnsLabel(o.path),
            path: join(dir, `overlays/${o.path}`),
            renderer: "kustomize",
            namespace: dnsLabel(`${app}-${o.path}`),
            helmValuesFiles: [],
          });
      }
      if (envs.length) found.push({ application: app, reason: `Kustomize overlays under ${join(dir, "overlays")}`, environments: sortByStage(envs) });
      return;
    }
    // Sibling environment folders: <app>/{base,staging,production}, or folders named like stages.
    const candidates: ProposedEnvironment[] = [];
    for (const f of folders.filter((f) => !SHARED.has(f.path))) {
      const files = (await git.readTree({ fs, gitdir, oid: f.oid, cache })).tree;
      if (files.some((e) => e.path === "Chart.yaml")) continue; // a chart is its own application
      const kustomize = files.some((e) => KUSTOMIZATION_FILES.includes(e.path));
      const plain = !kustomize && files.some((e) => e.type === "blob" && MANIFEST.test(e.path));
      if (kustomize || plain)
        candidates.push({ name: dnsLabel(f.path), path: join(dir, f.path), renderer: kustomize ? "kustomize" : "plain", namespace: "", helmValuesFiles: [] });
    }
    const shared = folders.find((f) => SHARED.has(f.path))?.path;
    const staged = candidates.filter((c) => rank(c.name) < ORDER.length);
    if (dir && candidates.length >= 2 && (shared || staged.length >= 2)) {
      const envs = shared ? candidates : staged;
      const app = appName(dir);
      for (const e of envs) e.namespace = dnsLabel(`${app}-${e.name}`);
      found.push({
        application: app,
        reason: shared ? `environment folders of ${dir} over the shared ${join(dir, shared)}` : `environment folders of ${dir} named like stages`,
        environments: sortByStage(envs),
      });
      return;
    }
    // A folder per application: one kustomization, or plain manifests, directly in the folder.
    const own = names.some((n) => KUSTOMIZATION_FILES.includes(n))
      ? "kustomize"
      : depth > 0 && tree.some((e) => e.type === "blob" && MANIFEST.test(e.path))
        ? "plain"
        : null;
    if (dir && own) {
      const app = appName(dir);
      found.push({
        application: app,
        reason: own === "kustomize" ? `kustomization in ${dir}` : `manifests in ${dir}`,
        environments: [{ name: "default", path: dir, renderer: own, namespace: app, helmValuesFiles: [] }],
      });
      return;
    }
    for (const f of folders) await walk(join(dir, f.path), depth + 1);
  }

  await walk("", 0);

  // Render each proposed environment (two at a time) before offering it.
  const tools = opts.tools ?? defaultTools();
  const rejected: RejectedEnvironment[] = [];
  const jobs = found.flatMap((p) => p.environments.map((e) => ({ p, e })));
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { p, e } = jobs[next++]!;
      try {
        const rendered = await render({
          gitdir,
          commit: branch.headSha,
          path: e.path,
          renderer: e.renderer,
          helm: { valuesFiles: e.helmValuesFiles, namespace: e.namespace },
          workDir: path.join(opts.dataDir, "trees", repositoryId),
          tools,
        });
        e.objects = rendered.manifests.length;
        if (e.objects === 0) throw new AppError("invalid", "renders to no objects");
      } catch (error) {
        e.objects = -1;
        rejected.push({
          application: p.application,
          environment: e.name,
          path: e.path,
          error: error instanceof Error ? error.message.split("\n")[0]!.slice(0, 500) : String(error),
        });
      }
    }
  };
  await Promise.all([worker(), worker()]);
  const proposals = found
    .map((p) => ({ ...p, environments: p.environments.filter((e) => (e.objects ?? 0) > 0) }))
    .filter((p) => p.environments.length > 0)
    .sort((a, b) => a.application.localeCompare(b.application));
  return { revision: branch.headSha, proposals, rejected };
}
