// One reconcile at a time per environment, across every Tideline process: a lease row
// in Postgres, taken with a conditional UPDATE and released (or expiring) afterwards.
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client";

export async function withEnvironmentLease<T>(prisma: PrismaClient, environmentId: string, ttlMs: number, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
  const owner = randomUUID();
  const taken = await prisma.$executeRaw`
    UPDATE "Environment" SET "leaseOwner" = ${owner}, "leaseUntil" = now() + (${ttlMs} * interval '1 millisecond')
    WHERE id = ${environmentId} AND ("leaseUntil" IS NULL OR "leaseUntil" < now())`;
  if (taken !== 1) return { ran: false };
  try {
    return { ran: true, value: await fn() };
  } finally {
    await prisma.$executeRaw`UPDATE "Environment" SET "leaseOwner" = NULL, "leaseUntil" = NULL WHERE id = ${environmentId} AND "leaseOwner" = ${owner}`;
  }
}
