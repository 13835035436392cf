// What a kubeconfig may make the Tideline server do. A kubeconfig is user input: its exec plugin
// is a command the server runs, its file fields make the server read local files and send them to
// `server`, and `proxy-url` makes it connect anywhere. Only what the operator allows passes.
import { invalid } from "../errors";
import { securityEnv } from "../env";

export interface KubeconfigPolicy {
  /** Exact exec commands allowed (as written in the kubeconfig). Empty: every exec plugin is refused. */
  execAllowlist: string[];
  execTimeoutMs: number;
  allowHttp: boolean;
}

export function kubeconfigPolicy(): KubeconfigPolicy {
  const e = securityEnv();
  return {
    execAllowlist: e.TIDELINE_KUBECONFIG_EXEC_ALLOWLIST,
    execTimeoutMs: e.TIDELINE_KUBECONFIG_EXEC_TIMEOUT_SECONDS * 1000,
    allowHttp: e.TIDELINE_KUBECONFIG_ALLOW_HTTP,
  };
}

export interface PolicyCluster {
  name: string;
  cluster: Record<string, unknown>;
}
export interface PolicyUser {
  name: string;
  user: Record<string, unknown>;
}

// Fields that name files on the Tideline server: the server would read them (its own service
// account token, keys, /etc/shadow...) and present them to a server the user chose.
const CLUSTER_FILE_FIELDS = ["certificate-authority"];
const USER_FILE_FIELDS = ["client-certificate", "client-key", "token-file", "tokenFile"];

// Variables that change what an allowed binary loads or runs: allowing `aws` must not allow
// LD_PRELOAD=/tmp/evil.so aws.
const FORBIDDEN_EXEC_ENV =
  /^(LD_|DYLD_)|^(PATH|HOME|BASH_ENV|ENV|SHELLOPTS|NODE_OPTIONS|PYTHONPATH|PYTHONSTARTUP|PYTHONHOME|PERL5OPT|PERL5LIB|RUBYOPT|RUBYLIB|GCONV_PATH|IFS)$/;

const refuse = (kubeconfigField: string, message: string) => invalid(message, { field: "kubeconfig", kubeconfigField });

export function assertClusterAllowed(cluster: PolicyCluster, policy: KubeconfigPolicy = kubeconfigPolicy()): string {
  const at = `clusters[${JSON.stringify(cluster.name)}].cluster`;
  const server = cluster.cluster?.server;
  if (typeof server !== "string" || !server) throw refuse(`${at}.server`, `Cluster "${cluster.name}" has no server URL (${at}.server)`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw refuse(`${at}.server`, `Cluster "${cluster.name}" has no valid server URL (${at}.server: ${JSON.stringify(server.slice(0, 200))})`);
  }
  if (url.protocol === "http:" && !policy.allowHttp) {
    throw refuse(
      `${at}.server`,
      `Cluster "${cluster.name}" uses plain http:// (${at}.server); credentials would travel unencrypted. Use https://, or ask the operator to set TIDELINE_KUBECONFIG_ALLOW_HTTP=true`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw refuse(`${at}.server`, `Cluster "${cluster.name}" has a server URL that is not https:// (${at}.server)`);
  for (const f of CLUSTER_FILE_FIELDS) {
    if (cluster.cluster[f] !== undefined) {
      throw refuse(
        `${at}.${f}`,
        `Cluster "${cluster.name}" points at a file on the server (${at}.${f}); paste a kubeconfig with embedded data (kubectl config view --minify --flatten)`,
      );
    }
  }
  if (cluster.cluster["proxy-url"] !== undefined) {
    throw refuse(
      `${at}.proxy-url`,
      `Cluster "${cluster.name}" sets a proxy (${at}.proxy-url), which Tideline does not allow: it would connect the server to any address`,
    );
  }
  return server;
}

export function assertUserAllowed(user: PolicyUser, policy: KubeconfigPolicy = kubeconfigPolicy()): void {
  const at = `users[${JSON.stringify(user.name)}].user`;
  const u = user.user ?? {};
  for (const f of USER_FILE_FIELDS) {
    if (u[f] !== undefined) {
      throw refuse(
        `${at}.${f}`,
        `User "${user.name}" points at a file on the server (${at}.${f}); paste a kubeconfig with embedded data (kubectl config view --minify --flatten)`,
      );
    }
  }
  const provider = u["auth-provider"] as { name?: string } | undefined;
  if (provider !== undefined) {
    throw refuse(
      `${at}.auth-provider`,
      `User "${user.name}" uses the removed auth-provider "${provider?.name ?? "?"}" (${at}.auth-provider); switch to a token or an allowed exec credential plugin`,
    );
  }
  if (u.exec !== undefined) assertExecAllowed(user.name, at, u.exec, policy);
}

function assertExecAllowed(userName: string, at: string, exec: unknown, policy: KubeconfigPolicy): void {
  const e = (exec ?? {}) as { command?: unknown; args?: unknown; env?: unknown };
  if (typeof e.command !== "string" || !e.command)
    throw refuse(`${at}.exec.command`, `User "${userName}" has an exec plugin without a command (${at}.exec.command)`);
  // Exact match only: allowing "aws" must not allow "/tmp/x/aws" or "./aws".
  if (!policy.execAllowlist.includes(e.command)) {
    const allowed = policy.execAllowlist.length ? `allowed: ${policy.execAllowlist.join(", ")}` : "no exec plugin is allowed on this server";
    throw refuse(
      `${at}.exec.command`,
      `User "${userName}" needs the exec credential plugin "${e.command}" (${at}.exec.command), which the operator has not allowed (${allowed}; TIDELINE_KUBECONFIG_EXEC_ALLOWLIST). Use a token or client certificate instead`,
    );
  }
  if (e.args !== undefined && (!Array.isArray(e.args) || e.args.some((a) => typeof a !== "string")))
    throw refuse(`${at}.exec.args`, `User "${userName}": ${at}.exec.args must be a list of strings`);
  if (e.env !== undefined && e.env !== null) {
    if (!Array.isArray(e.env)) throw refuse(`${at}.exec.env`, `User "${userName}": ${at}.exec.env must be a list of {name, value}`);
    e.env.forEach((entry: { name?: unknown; value?: unknown }, i: number) => {
      if (typeof entry?.name !== "string" || typeof entry?.value !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(entry.name)) {
        throw refuse(`${at}.exec.env[${i}]`, `User "${userName}": ${at}.exec.env[${i}] must have a name (letters, digits, _) and a string value`);
      }
      if (FORBIDDEN_EXEC_ENV.test(entry.name))
        throw refuse(`${at}.exec.env[${i}]`, `User "${userName}": the exec plugin may not set ${entry.name} (${at}.exec.env[${i}])`);
    });
  }
}
