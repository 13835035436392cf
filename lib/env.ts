// Reads and validates Tideline's configuration once; every environment variable
// the server understands is declared here (and documented in the README).
import "server-only";
import path from "node:path";
import { z } from "zod";

const csv = z
  .string()
  .default("")
  .transform((s) =>
    s
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean),
  );
const flag = z
  .enum(["true", "false"])
  .default("false")
  .transform((v) => v === "true");

// Limits on what users and repositories may make the server do (issue 14). Parsed on their own too
// (securityEnv), so scripts and benches that call lib/kube and lib/render need no database settings.
const securitySchema = z.object({
  /** Exact kubeconfig exec commands that may run (names as written in the kubeconfig, or absolute paths). Empty: none. */
  TIDELINE_KUBECONFIG_EXEC_ALLOWLIST: csv,
  TIDELINE_KUBECONFIG_EXEC_TIMEOUT_SECONDS: z.coerce.number().positive().max(300).default(10),
  /** Allow kubeconfig clusters with a plain http:// server (credentials then travel unencrypted). */
  TIDELINE_KUBECONFIG_ALLOW_HTTP: flag,
  /** Hosts kustomize may fetch remote resources/bases/components and helmCharts from. Empty: none. */
  TIDELINE_RENDER_REMOTE_HOSTS: csv,
  TIDELINE_RENDER_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(60),
  TIDELINE_RENDER_MEMORY_MB: z.coerce.number().int().min(0).default(1024),
  TIDELINE_RENDER_MAX_OUTPUT_MB: z.coerce.number().positive().default(64),
  /** YAML aliases (*ref) allowed per document, and extra nodes their expansion may add per file. */
  TIDELINE_YAML_MAX_ALIASES: z.coerce.number().int().min(0).default(100),
  TIDELINE_YAML_MAX_ALIAS_EXPANSION: z.coerce.number().int().min(0).default(10_000),
});
export type SecurityEnv = z.infer<typeof securitySchema>;

const schema = securitySchema.extend({
  DATABASE_URL: z.string().min(1, "DATABASE_URL must point at PostgreSQL"),
  TIDELINE_SECRET_KEY: z.string().min(1, "TIDELINE_SECRET_KEY is required: 32 random bytes, base64 (openssl rand -base64 32)"),
  TIDELINE_PREVIOUS_SECRET_KEYS: z.string().optional(),
  TIDELINE_DATA_DIR: z.string().default(".tideline"),
  TIDELINE_FETCH_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  // Full resync of every environment, spread over this interval (live changes and pushes react at once).
  TIDELINE_RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(300),
  // web (pages + API), worker (jobs) or all (both, the default).
  TIDELINE_ROLE: z.enum(["web", "worker", "all"]).default("all"),
  // Postgres schema of the job queue (pg-boss); several installations may share one database.
  TIDELINE_JOB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,50}$/, "a lower-case Postgres schema name")
    .default("tideline_jobs"),
  TIDELINE_IMAGE_POLL_TICK_SECONDS: z.coerce.number().int().min(0).default(5),
  TIDELINE_CLUSTER_CHECK_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  TIDELINE_SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  TIDELINE_MAX_FILE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  TIDELINE_PUBLIC_URL: z.string().url().optional(),
  TIDELINE_OIDC_ISSUER: z.string().url().optional(),
  TIDELINE_OIDC_CLIENT_ID: z.string().optional(),
  TIDELINE_OIDC_CLIENT_SECRET: z.string().optional(),
  TIDELINE_OIDC_GROUPS_CLAIM: z.string().default("groups"),
  TIDELINE_OIDC_ROLE_MAP: z.string().default(""),
  TIDELINE_OIDC_DEFAULT_ROLE: z.enum(["none", "viewer", "developer", "approver", "admin"]).default("viewer"),
  TIDELINE_SECURE_COOKIES: z.enum(["true", "false", "auto"]).default("auto"),
  // Bearer token Prometheus sends to /metrics (and the worker's metrics port). Unset: only an admin's session or API token may scrape.
  TIDELINE_METRICS_TOKEN: z.string().min(16, "TIDELINE_METRICS_TOKEN must be at least 16 characters (openssl rand -hex 24)").optional(),
  // Port of the worker role's own /metrics (a process in the web or all role serves /metrics on the web port); 0 turns it off.
  TIDELINE_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  // Read by lib/log itself (the logger works before and without the rest of the configuration); validated here too.
  TIDELINE_LOG_LEVEL: z
    .string()
    .default("info")
    .transform((s) => s.trim().toLowerCase())
    .pipe(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])),
  TIDELINE_LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  // Hosts notification webhooks and Slack hooks may call ("host", "host:port", "*.example.com"); nothing else is reached.
  TIDELINE_OUTBOUND_HOSTS: z
    .string()
    .default("hooks.slack.com")
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  // SMTP server for e-mail notifications (smtp://user:pass@host:587 or smtps://...) and the sender address.
  TIDELINE_SMTP_URL: z.string().url().optional(),
  TIDELINE_SMTP_FROM: z.string().default("Tideline <tideline@localhost>"),
});

export type Env = z.infer<typeof schema> & { mirrorsDir: string };

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid Tideline configuration: ${problems}`);
  }
  const dataDir = path.resolve(parsed.data.TIDELINE_DATA_DIR);
  cached = { ...parsed.data, TIDELINE_DATA_DIR: dataDir, mirrorsDir: path.join(dataDir, "mirrors") };
  return cached;
}

let cachedSecurity: SecurityEnv | undefined;

/** Just the security limits, validated like env() but without requiring the database settings. */
export function securityEnv(): SecurityEnv {
  if (cachedSecurity) return cachedSecurity;
  const parsed = securitySchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid Tideline configuration: ${problems}`);
  }
  cachedSecurity = parsed.data;
  return cachedSecurity;
}
