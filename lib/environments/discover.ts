// Proposes applications and environments from a repository's layout, the conventions
// Argo CD and Flux users follow: <app>/overlays/<env> (Kustomize) and charts with
// values-<env>.yaml (Helm). Nothing is created; the user picks what to keep.
import fs from "node:fs";
import git from "isomorphic-git";
import type { PrismaClient } from "../generated/prisma/client";
import { notFound } from "../errors";
import { mirrorPath } from "../git/mirror";
import { KUSTOMIZATION_FILES } from "../render/detect";

export interface ProposedEnvironment {
  name: string;
  path: string;
  renderer: "kustomize" | "helm";
  namespace: string;
  helmValuesFiles: string[];
}
export interface Proposal {
  application: string;
  environments: ProposedEnvironment[];
}

const ORDER = ["dev", "development", "test", "qa", "int", "staging", "stage", "preprod", "uat", "prod", "production"];
const rank = (name: string) => (ORDER.indexOf(name) === -1 ? ORDER.length : ORDER.indexOf(name));
const dnsLabel = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63) || "app";
const MAX_DEPTH = 6;

export async function discoverEnvironments(prisma: PrismaClient, mirrorsDir: string, repositoryId: string): Promise<{ revision: string; proposals: Proposal[] }> {
  const repo = await prisma.repository.findUnique({ where: { id: repositoryId } });
  if (!repo) throw notFound(`Repository ${repositoryId} does not exist`);
  const branch = await prisma.branch.findUnique({ where: { repositoryId_name: { repositoryId, name: repo.defaultBranch ?? "main" } } });
  if (!branch) throw notFound(`Repository ${repo.name} has not been fetched yet`);
  const gitdir = mirrorPath(mirrorsDir, repositoryId);
  const cache = {};
  const proposals: Proposal[] = [];

  async function walk(dir: string, depth: number): Promise<void> {
    if (depth > MAX_DEPTH) return;
    const { tree } = await git.readTree({ fs, gitdir, oid: branch!.headSha, filepath: dir || undefined, cache });
    const names = tree.map((e) => e.path);
    const folders = tree.filter((e) => e.type === "tree").map((e) => e.path);
    if (names.includes("Chart.yaml")) {
      const envs = names.map((n) => n.match(/^values[-.]([a-z0-9-]+)\.ya?ml$/i)?.[1]).filter((e): e is string => Boolean(e));
      const app = dnsLabel(dir.split("/").pop() ?? "chart");
      if (envs.length) proposals.push({ application: app, environments: sortEnvs(envs).map((env) => ({ name: dnsLabel(env), path: dir, renderer: "helm", namespace: dnsLabel(`${app}-${env}`), helmValuesFiles: [names.find((n) => n.match(new RegExp(`^values[-.]${env}\\.ya?ml$`, "i")))!] })) });
      return; // a chart's templates are not environments
    }
    if (folders.includes("overlays")) {
      const overlays = (await git.readTree({ fs, gitdir, oid: branch!.headSha, filepath: dir ? `${dir}/overlays` : "overlays", cache })).tree.filter((e) => e.type === "tree");
      const envs: ProposedEnvironment[] = [];
      const app = dnsLabel(dir.split("/").pop() || repo!.name);
      for (const o of overlays) {
        const files = (await git.readTree({ fs, gitdir, oid: o.oid, cache })).tree.map((e) => e.path);
        if (files.some((f) => KUSTOMIZATION_FILES.includes(f))) {
          envs.push({ name: dnsLabel(o.path), path: `${dir ? `${dir}/` : ""}overlays/${o.path}`, renderer: "kustomize", namespace: dnsLabel(`${app}-${o.path}`), helmValuesFiles: [] });
        }
      }
      if (envs.length) proposals.push({ application: app, environments: envs.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name)) });
      return;
    }
    for (const f of folders) if (!f.startsWith(".")) await walk(dir ? `${dir}/${f}` : f, depth + 1);
  }

  await walk("", 0);
  return { revision: branch.headSha, proposals: proposals.sort((a, b) => a.application.localeCompare(b.application)) };
}

function sortEnvs(envs: string[]): string[] {
  return [...new Set(envs)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
