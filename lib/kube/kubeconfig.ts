// Reads a pasted kubeconfig, lists its contexts, and reduces it to one context with
// every problem we can see before connecting: missing entries, plugins that are not
// installed, expired client certificates, and anything the kubeconfig policy refuses
// (exec plugins not on the operator's allow-list, local file paths, proxies, plain http).
import { X509Certificate } from "node:crypto";
import { accessSync, constants, readFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { invalid } from "../errors";
import { parseYamlValue } from "../limits/yaml";
import { assertClusterAllowed, assertUserAllowed, kubeconfigPolicy, type KubeconfigPolicy } from "./kubeconfig-policy";

interface NamedCluster {
  name: string;
  cluster: { server?: string; "certificate-authority-data"?: string; "certificate-authority"?: string; "insecure-skip-tls-verify"?: boolean };
}
interface NamedUser {
  name: string;
  user: Record<string, unknown> & {
    exec?: { command?: string };
    "auth-provider"?: { name?: string };
    "client-certificate-data"?: string;
    "client-certificate"?: string;
  };
}
interface NamedContext {
  name: string;
  context: { cluster?: string; user?: string; namespace?: string };
}
interface RawKubeconfig {
  clusters?: NamedCluster[];
  users?: NamedUser[];
  contexts?: NamedContext[];
  "current-context"?: string;
}

export interface ContextSummary {
  name: string;
  cluster: string;
  server: string | null;
  user: string;
  namespace: string | null;
  current: boolean;
}

export function parseKubeconfig(text: string): RawKubeconfig {
  if (!text.trim()) throw invalid("The kubeconfig is empty", { field: "kubeconfig" });
  if (text.length > 1_000_000) throw invalid("The kubeconfig is larger than 1 MB", { field: "kubeconfig" });
  let doc: unknown;
  try {
    doc = parseYamlValue(text, { file: "kubeconfig", field: "kubeconfig" });
  } catch (e) {
    throw invalid(`The kubeconfig is not valid YAML: ${(e as Error).message.replace(/^kubeconfig: (not valid YAML: )?/, "").split("\n")[0]}`, {
      field: "kubeconfig",
    });
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc))
    throw invalid("The kubeconfig must be a YAML mapping with clusters, users and contexts", { field: "kubeconfig" });
  const raw = doc as RawKubeconfig;
  for (const key of ["clusters", "users", "contexts"] as const) {
    if (raw[key] !== undefined && !Array.isArray(raw[key])) throw invalid(`kubeconfig "${key}" must be a list`, { field: "kubeconfig" });
  }
  if (!raw.contexts?.length) throw invalid("The kubeconfig has no contexts", { field: "kubeconfig" });
  return raw;
}

export function listContexts(text: string): ContextSummary[] {
  const raw = parseKubeconfig(text);
  return (raw.contexts ?? []).map((c) => ({
    name: c.name,
    cluster: c.context?.cluster ?? "",
    server: raw.clusters?.find((k) => k.name === c.context?.cluster)?.cluster?.server ?? null,
    user: c.context?.user ?? "",
    namespace: c.context?.namespace ?? null,
    current: c.name === raw["current-context"],
  }));
}

function commandInstalled(command: string): boolean {
  if (command.includes("/")) {
    try {
      accessSync(command, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function checkCertificate(user: NamedUser, now: Date): void {
  const data = user.user["client-certificate-data"];
  const file = user.user["client-certificate"];
  let pem: Buffer | null = null;
  if (typeof data === "string") pem = Buffer.from(data, "base64");
  else if (typeof file === "string") {
    throw invalid(
      `User "${user.name}" points at a client certificate file (${file}); paste a kubeconfig with embedded data (kubectl config view --minify --flatten)`,
      { field: "kubeconfig" },
    );
  }
  if (!pem) return;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw invalid(`User "${user.name}" has a client-certificate-data that is not a valid certificate`, { field: "kubeconfig" });
  }
  if (new Date(cert.validTo) < now)
    throw invalid(`The client certificate of user "${user.name}" expired on ${new Date(cert.validTo).toISOString()}; issue a new one`, { field: "kubeconfig" });
  if (new Date(cert.validFrom) > now)
    throw invalid(`The client certificate of user "${user.name}" is not valid before ${new Date(cert.validFrom).toISOString()}`, { field: "kubeconfig" });
}

/** A self-contained kubeconfig holding only the chosen context, validated. */
export function reduceToContext(
  text: string,
  contextName: string,
  now = new Date(),
  policy: KubeconfigPolicy = kubeconfigPolicy(),
): { kubeconfig: string; server: string; namespace: string | null } {
  const raw = parseKubeconfig(text);
  const context = raw.contexts?.find((c) => c.name === contextName);
  if (!context) {
    const names = (raw.contexts ?? []).map((c) => c.name).join(", ");
    throw invalid(`Context "${contextName}" does not exist in this kubeconfig (it has: ${names})`, { field: "context" });
  }
  const cluster = raw.clusters?.find((c) => c.name === context.context?.cluster);
  if (!cluster)
    throw invalid(`Context "${contextName}" refers to cluster "${context.context?.cluster}", which is not in the kubeconfig`, { field: "kubeconfig" });
  const server = assertClusterAllowed(cluster, policy);
  const user = raw.users?.find((u) => u.name === context.context?.user);
  if (!user) throw invalid(`Context "${contextName}" refers to user "${context.context?.user}", which is not in the kubeconfig`, { field: "kubeconfig" });
  assertUserAllowed(user, policy);
  const exec = user.user?.exec;
  if (exec?.command && !commandInstalled(exec.command)) {
    throw invalid(`User "${user.name}" needs the credential plugin "${exec.command}", which is not installed on the Tideline server`, { field: "kubeconfig" });
  }
  checkCertificate(user, now);
  const reduced = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [cluster],
    users: [user],
    contexts: [context],
    "current-context": context.name,
  };
  return { kubeconfig: stringify(reduced), server, namespace: context.context?.namespace ?? null };
}

/** Re-checks a stored (already reduced) kubeconfig before it is loaded: the policy may have tightened since it was saved. */
export function assertStoredKubeconfig(text: string, policy: KubeconfigPolicy = kubeconfigPolicy()): void {
  const raw = parseKubeconfig(text);
  const context = raw.contexts?.find((c) => c.name === raw["current-context"]) ?? raw.contexts?.[0];
  const cluster = raw.clusters?.find((c) => c.name === context?.context?.cluster);
  const user = raw.users?.find((u) => u.name === context?.context?.user);
  if (!cluster || !user) throw invalid("The stored kubeconfig has no cluster or user for its context", { field: "kubeconfig" });
  assertClusterAllowed(cluster, policy);
  assertUserAllowed(user, policy);
}

/** The service account mounted into a pod, when Tideline runs inside Kubernetes. */
export function inClusterAvailable(): boolean {
  try {
    readFileSync("/var/run/secrets/kubernetes.io/serviceaccount/token");
    return Boolean(process.env.KUBERNETES_SERVICE_HOST);
  } catch {
    return false;
  }
}
