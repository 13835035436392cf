// Fixed-window rate limits counted in Postgres, so every Tideline replica sees the same count.
// One atomic upsert per hit (never read-modify-write): parallel hits each get a distinct count.
import type { PrismaClient } from "../generated/prisma/client";

export interface Limit {
  /** How many hits a key may make per window. */
  max: number;
  windowSeconds: number;
}

export interface Hit {
  /** This hit's position in the current window (1 = first). */
  count: number;
  allowed: boolean;
  /** The first hit past the limit in this window (record the refusal once, not for every hit). */
  firstRefusal: boolean;
  /** Seconds until the window ends (for Retry-After), at least 1. */
  retryAfterSeconds: number;
  /** Start of the window this hit was counted in (to give the hit back, see {@link release}). */
  windowStart: Date;
}

// Timestamps are stored in UTC without a time zone (as Prisma writes them); the database's clock is
// the one clock all replicas share.
const NOW = `(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')`;
/** Old windows are deleted now and then (on about one hit in this many). */
const PRUNE_ONE_IN = 200;
const PRUNE_AFTER = "1 day";

/** Counts one hit for `key` in the current window of `limit.windowSeconds` and says whether it is allowed. */
export async function hit(prisma: PrismaClient, key: string, limit: Limit): Promise<Hit> {
  const window = Math.max(1, Math.floor(limit.windowSeconds));
  const rows = await prisma.$queryRawUnsafe<Array<{ count: number; windowStart: Date; retryAfter: number }>>(
    `WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM ${NOW}) / $2::int) * $2::int) AT TIME ZONE 'UTC' AS start)
     INSERT INTO "RateLimitCounter" ("key", "windowStart", "count") SELECT $1, w.start, 1 FROM w
     ON CONFLICT ("key") DO UPDATE SET
       "count" = CASE WHEN "RateLimitCounter"."windowStart" = EXCLUDED."windowStart" THEN "RateLimitCounter"."count" + 1 ELSE 1 END,
       "windowStart" = EXCLUDED."windowStart"
     RETURNING "count", "windowStart",
       ceil(extract(epoch FROM ("windowStart" + make_interval(secs => $2::int)) - ${NOW}))::int AS "retryAfter"`,
    key,
    window,
  );
  const row = rows[0]!;
  if (Math.random() * PRUNE_ONE_IN < 1) await prune(prisma);
  return {
    count: row.count,
    allowed: row.count <= limit.max,
    firstRefusal: row.count === limit.max + 1,
    retryAfterSeconds: Math.max(1, row.retryAfter),
    windowStart: row.windowStart,
  };
}

/** Gives back a hit counted by {@link hit} (e.g. a sign-in that succeeded is not a failure). */
export async function release(prisma: PrismaClient, key: string, counted: Hit): Promise<void> {
  await prisma.$executeRawUnsafe(
    `UPDATE "RateLimitCounter" SET "count" = GREATEST("count" - 1, 0) WHERE "key" = $1 AND "windowStart" = $2::timestamp(3)`,
    key,
    counted.windowStart.toISOString().replace("Z", ""),
  );
}

/** Drops a key's count (e.g. a successful sign-in ends a run of failures). */
export async function forget(prisma: PrismaClient, key: string): Promise<void> {
  await prisma.$executeRawUnsafe(`DELETE FROM "RateLimitCounter" WHERE "key" = $1`, key);
}

export async function prune(prisma: PrismaClient): Promise<number> {
  return prisma.$executeRawUnsafe(`DELETE FROM "RateLimitCounter" WHERE "windowStart" < ${NOW} - interval '${PRUNE_AFTER}'`);
}
