// The job engine's admin queries read this process's engine and its schema (not a route).
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { JobsAdminDeps } from "@/lib/jobs/admin";
import { jobs } from "@/server/root";

export const jobsAdminDeps = (): JobsAdminDeps => ({ prisma: db(), engine: jobs(), schema: env().TIDELINE_JOB_SCHEMA });
