// Answers "can Tideline work with this cluster?": reachable, which version, who we are,
// and what we may do in a namespace (SelfSubjectAccessReview per verb and resource).
import { kubeRequest, KubeError, type KubeClient, type KubeFailure } from "./transport";

export const CHECKED_PERMISSIONS = [
  { verb: "list", group: "", resource: "configmaps" },
  { verb: "watch", group: "", resource: "configmaps" },
  { verb: "patch", group: "", resource: "configmaps" },
  { verb: "list", group: "apps", resource: "deployments" },
  { verb: "patch", group: "apps", resource: "deployments" },
  { verb: "delete", group: "apps", resource: "deployments" },
  { verb: "list", group: "", resource: "secrets" },
  { verb: "create", group: "", resource: "namespaces" },
] as const;

export interface ConnectionReport {
  reachable: boolean;
  authenticated: boolean;
  serverVersion: string | null;
  user: string | null;
  namespace: string;
  permissions: Record<string, boolean>;
  failure: KubeFailure | null;
  error: string | null;
}

export async function checkConnection(client: KubeClient, namespace: string, timeoutMs = 8_000): Promise<ConnectionReport> {
  const report: ConnectionReport = {
    reachable: false,
    authenticated: false,
    serverVersion: null,
    user: null,
    namespace,
    permissions: {},
    failure: null,
    error: null,
  };
  try {
    const version = await kubeRequest<{ gitVersion: string }>(client, "GET", "/version", { timeoutMs });
    report.reachable = true;
    report.serverVersion = version.gitVersion;
    const review = await kubeRequest<{ status: { userInfo: { username?: string } } }>(client, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
      body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      timeoutMs,
    });
    report.authenticated = true;
    report.user = review.status.userInfo.username ?? null;
    const answers = await Promise.all(
      CHECKED_PERMISSIONS.map((p) =>
        kubeRequest<{ status: { allowed: boolean } }>(client, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
          body: {
            apiVersion: "authorization.k8s.io/v1",
            kind: "SelfSubjectAccessReview",
            spec: {
              resourceAttributes: { namespace: p.resource === "namespaces" ? undefined : namespace, verb: p.verb, group: p.group, resource: p.resource },
            },
          },
          timeoutMs,
        }),
      ),
    );
    CHECKED_PERMISSIONS.forEach((p, i) => (report.permissions[`${p.verb} ${p.group ? `${p.group}/` : ""}${p.resource}`] = answers[i]!.status.allowed));
  } catch (error) {
    const e = error instanceof KubeError ? error : new KubeError("http", String((error as Error).message));
    report.failure = e.failure;
    report.error = e.message;
    if (e.failure === "unauthorized") report.reachable = true;
    if (e.failure === "forbidden") {
      report.reachable = true;
      report.authenticated = true;
    }
  }
  return report;
}
