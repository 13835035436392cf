// Which approvals a change needs, from what it does rather than which files it names: every
// protected environment (requiredApprovals > 0) on the target branch whose RENDERED objects differ
// between the merge base and the head needs that many approvals from approvers of its application.
// A shared base, a component or a Helm chart outside the environment's folder counts like any file.
import type { Environment, PrismaClient } from "../generated/prisma/client";
import { env as config } from "../env";
import { renderedChanges } from "./impact";

export interface ProtectedEnvironmentChange {
  environmentId: string;
  environment: string;
  applicationId: string;
  application: string;
  requiredApprovals: number;
  /** Rendered objects added, modified or removed. */
  objects: number;
  /** The head does not render: counted as changed (fail closed), with the reason. */
  renderError: string | null;
}

export interface ApprovalRequirement {
  applicationId: string;
  application: string;
  /** Distinct approvers of the application needed: the strictest of its changed environments. */
  approvals: number;
  environments: ProtectedEnvironmentChange[];
  /** "changes prod: 3 objects; needs 2 approvals from approvers of guestbook" */
  summary: string;
}

export interface Protection {
  baseSha: string;
  headSha: string;
  /** The protection settings it was computed with: a change to them (more approvals, a new protected environment) recomputes. */
  configKey: string;
  requirements: ApprovalRequirement[];
  /** The largest requirement (what lists show); 0 when no protected environment changes. */
  requiredReviews: number;
  computedAt: string;
}

export interface ProtectionDeps {
  prisma: PrismaClient;
  mirrorsDir: string;
  /** Where render trees live; defaults to the process's data folder. */
  dataDir?: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function describeEnvironment(e: ProtectedEnvironmentChange): string {
  return e.renderError
    ? `${e.environment}: does not render at the head, so it counts as changed (${e.renderError})`
    : `${e.environment}: ${plural(e.objects, "object")}`;
}

export function requirementSummary(r: Pick<ApprovalRequirement, "environments" | "approvals" | "application">): string {
  return `changes ${r.environments.map(describeEnvironment).join(", ")}; needs ${plural(r.approvals, "approval")} from approvers of ${r.application}`;
}

type ProtectedEnv = Environment & { application: { id: string; name: string } };

/** The protected environments of a branch, as rendered and counted. */
export function protectedEnvironments(prisma: PrismaClient, repositoryId: string, branch: string): Promise<ProtectedEnv[]> {
  return prisma.environment.findMany({
    where: { repositoryId, branch, requiredApprovals: { gt: 0 } },
    include: { application: { select: { id: true, name: true } } },
    orderBy: [{ applicationId: "asc" }, { position: "asc" }],
  });
}

/** Everything of the protected environments that decides the result besides the commits. */
export function protectionConfigKey(envs: ProtectedEnv[]): string {
  return JSON.stringify(
    envs.map((e) => [
      e.id,
      e.requiredApprovals,
      e.path,
      e.renderer,
      e.helmReleaseName,
      e.helmValuesFiles,
      e.namespace,
      e.applicationId,
      e.application.name,
      e.name,
    ]),
  );
}

/** Renders each protected environment of the branch at base and head and groups the changed ones by application. */
export async function computeProtection(
  deps: ProtectionDeps,
  input: { repositoryId: string; branch: string; baseSha: string; headSha: string },
): Promise<Protection> {
  const envs = await protectedEnvironments(deps.prisma, input.repositoryId, input.branch);
  const renderDeps = { mirrorsDir: deps.mirrorsDir, dataDir: deps.dataDir ?? config().TIDELINE_DATA_DIR };
  // One at a time: renders spawn kustomize/helm, and the machine's cores are shared with syncs.
  const changed: ProtectedEnvironmentChange[] = [];
  for (const e of envs) {
    const diff = await renderedChanges(renderDeps, e, input.baseSha, input.headSha);
    if (!diff.error && diff.objects.length === 0) continue;
    changed.push({
      environmentId: e.id,
      environment: e.name,
      applicationId: e.applicationId,
      application: e.application.name,
      requiredApprovals: e.requiredApprovals,
      objects: diff.objects.length,
      renderError: diff.error,
    });
  }
  const byApp = new Map<string, ProtectedEnvironmentChange[]>();
  for (const c of changed) byApp.set(c.applicationId, [...(byApp.get(c.applicationId) ?? []), c]);
  const requirements = [...byApp.values()].map((environments) => {
    const r = {
      applicationId: environments[0]!.applicationId,
      application: environments[0]!.application,
      approvals: Math.max(...environments.map((e) => e.requiredApprovals)),
      environments,
    };
    return { ...r, summary: requirementSummary(r) };
  });
  return {
    baseSha: input.baseSha,
    headSha: input.headSha,
    configKey: protectionConfigKey(envs),
    requirements,
    requiredReviews: Math.max(0, ...requirements.map((r) => r.approvals)),
    computedAt: new Date().toISOString(),
  };
}
