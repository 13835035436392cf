// Brings up what Tideline needs to run (data folder, secret key, Postgres, schema) for the
// demo, the browser tests and the benchmarks. Uses DATABASE_URL when set; else embedded Postgres.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { ensureDatabase, startEmbeddedPostgres } from "./postgres";

export const ROOT = path.resolve(import.meta.dirname, "..");

export interface Database {
  url: string;
  stop(): Promise<void>;
}

/** A base64 AES-256 key kept in the data folder (mode 0600) unless TIDELINE_SECRET_KEY is set. */
export function ensureSecretKey(dataDir: string): string {
  if (process.env.TIDELINE_SECRET_KEY) return process.env.TIDELINE_SECRET_KEY;
  const file = path.join(dataDir, "secret.key");
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return readFileSync(file, "utf8").trim();
}

export async function startDatabase(opts: { dataDir: string; database: string; quiet?: boolean }): Promise<Database> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  const pg = await startEmbeddedPostgres({ dataDir: path.join(opts.dataDir, "postgres"), quiet: opts.quiet });
  await ensureDatabase(pg.adminUrl, opts.database);
  return { url: pg.urlFor(opts.database), stop: () => pg.stop() };
}

function run(command: string, args: string[], env: Record<string, string>, what: string): void {
  const result = spawnSync(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
}

const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

export function migrate(databaseUrl: string): void {
  run(bin("prisma"), ["migrate", "deploy"], { DATABASE_URL: databaseUrl }, "prisma migrate deploy");
}

export function generatePrismaClient(): void {
  run(bin("prisma"), ["generate"], { DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://unused@localhost/unused" }, "prisma generate");
}

/**
 * A new, migrated database for one run of the tests, browser tests or a benchmark: created on
 * the server DATABASE_URL points at, else in an embedded Postgres under dataDir.
 */
export async function freshDatabase(opts: { dataDir: string; prefix: string }): Promise<Database> {
  const database = `${opts.prefix}_${Date.now()}`;
  const external = process.env.DATABASE_URL;
  let db: Database;
  if (external) {
    const admin = new URL(external);
    admin.pathname = "/postgres";
    await ensureDatabase(admin.toString(), database);
    const scoped = new URL(external);
    scoped.pathname = `/${database}`;
    db = { url: scoped.toString(), stop: async () => {} };
  } else {
    db = await startDatabase({ dataDir: opts.dataDir, database, quiet: true });
  }
  migrate(db.url);
  return db;
}
