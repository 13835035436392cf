import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import { cancelJob, jobActionInput } from "@/lib/jobs/admin";
import { jobsAdminDeps } from "../../deps";

/** Cancels a queued or running job (409 once it has finished). */
export const POST = apiRoute(
  { action: "jobs.manage", params: z.object({ id: z.string().min(1).max(100) }), body: jobActionInput },
  async ({ user, params, body }) => {
    const job = await cancelJob(jobsAdminDeps(), body.name, params.id);
    await recordAudit(db(), {
      actor: user,
      action: "job.cancel",
      targetType: "job",
      targetId: job.id,
      details: { name: job.name, singletonKey: job.singletonKey, previousState: job.state },
    });
    return { id: job.id, name: job.name, state: "cancelled" };
  },
);
