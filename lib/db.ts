// One Prisma client per process (kept on globalThis so Next's dev reloads reuse it),
// talking to Postgres through the pg driver adapter.
import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";
import { env } from "./env";

const globalForDb = globalThis as unknown as { tidelineDb?: PrismaClient };

export function db(): PrismaClient {
  if (!globalForDb.tidelineDb) {
    const adapter = new PrismaPg({ connectionString: env().DATABASE_URL, max: 10 });
    globalForDb.tidelineDb = new PrismaClient({ adapter });
  }
  return globalForDb.tidelineDb;
}
