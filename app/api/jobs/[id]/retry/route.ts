import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import { jobActionInput, retryJob } from "@/lib/jobs/admin";
import { jobsAdminDeps } from "../../deps";

/** Runs a failed job once more (409 unless it is failed). */
export const POST = apiRoute(
  { action: "jobs.manage", params: z.object({ id: z.string().min(1).max(100) }), body: jobActionInput },
  async ({ user, params, body }) => {
    const job = await retryJob(jobsAdminDeps(), body.name, params.id);
    await recordAudit(db(), {
      actor: user,
      action: "job.retry",
      targetType: "job",
      targetId: job.id,
      details: { name: job.name, singletonKey: job.singletonKey, retryCount: job.retryCount, error: job.error?.message ?? null },
    });
    return { id: job.id, name: job.name, state: "retry" };
  },
);
