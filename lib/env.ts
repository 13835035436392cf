// Reads and validates Tideline's configuration once; every environment variable
// the server understands is declared here (and documented in the README).
import path from "node:path";
import { z } from "zod";

const schema = z.object({
  DATABASE_URL: z.string().min(1, "DATABASE_URL must point at PostgreSQL"),
  TIDELINE_SECRET_KEY: z
    .string()
    .min(1, "TIDELINE_SECRET_KEY is required: 32 random bytes, base64 (openssl rand -base64 32)"),
  TIDELINE_PREVIOUS_SECRET_KEYS: z.string().optional(),
  TIDELINE_DATA_DIR: z.string().default(".tideline"),
  TIDELINE_FETCH_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  TIDELINE_RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  TIDELINE_IMAGE_POLL_TICK_SECONDS: z.coerce.number().int().min(0).default(5),
  TIDELINE_CLUSTER_CHECK_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  TIDELINE_SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  TIDELINE_MAX_FILE_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  TIDELINE_PUBLIC_URL: z.string().url().optional(),
  TIDELINE_OIDC_ISSUER: z.string().url().optional(),
  TIDELINE_OIDC_CLIENT_ID: z.string().optional(),
  TIDELINE_OIDC_CLIENT_SECRET: z.string().optional(),
  TIDELINE_OIDC_GROUPS_CLAIM: z.string().default("groups"),
  TIDELINE_OIDC_ROLE_MAP: z.string().default(""),
  TIDELINE_OIDC_DEFAULT_ROLE: z.enum(["none", "viewer", "developer", "approver", "admin"]).default("viewer"),
  TIDELINE_SECURE_COOKIES: z.enum(["true", "false", "auto"]).default("auto"),
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
