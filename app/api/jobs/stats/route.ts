import { apiRoute } from "@/lib/api/handler";
import { queueFigures } from "@/lib/jobs/admin";
import { jobsAdminDeps } from "../deps";

/** Per queue: queued, deferred, running, failed in the last 24 h, oldest waiting job's age. */
export const GET = apiRoute({ action: "jobs.read" }, async () => ({ queues: await queueFigures(jobsAdminDeps()), at: new Date().toISOString() }));
