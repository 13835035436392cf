import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { createFromProposal } from "@/lib/environments/create-from-proposal";
import { recordAudit } from "@/lib/audit/record";
import { jobs } from "@/server/root";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

const body = z.object({
  repositoryId: z.string().min(1),
  clusterId: z.string().min(1),
  branch: z.string().min(1).max(250),
  application: z.string().min(1).max(63),
  environments: z
    .array(
      z.object({
        name: z.string().min(1).max(63),
        path: z.string().max(1000),
        renderer: z.enum(["kustomize", "helm", "plain"]),
        namespace: z.string().min(1).max(63),
        helmValuesFiles: z.array(z.string().max(500)).max(20),
      }),
    )
    .min(1)
    .max(20),
});

export const POST = apiRoute({ action: "application.manage", body }, async ({ body, user }) => {
  const created = await createFromProposal(db(), env().mirrorsDir, body);
  await recordAudit(db(), {
    actor: user,
    action: "application.create",
    targetType: "application",
    targetId: created.application.id,
    details: { name: body.application, discovered: true, environments: body.environments.map((e) => e.name) },
  });
  for (const e of created.environments) await jobs().send("environment.work", { environmentId: e.id, reason: "environment created" });
  return Response.json({ application: created.application }, { status: 201 });
});
