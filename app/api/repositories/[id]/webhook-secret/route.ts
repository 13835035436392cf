// Enables or rotates (POST) and disables (DELETE) a repository's Git webhook. The secret is
// returned once, in the POST answer; it is stored sealed and never logged or audited.
import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { recordAudit } from "@/lib/audit/record";
import { seal } from "@/lib/crypto/keyring";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { baseUrlOf, disableWebhook, enableWebhook, webhookSecretInput, webhookSetup } from "@/lib/webhooks/webhook-secret";

const params = z.object({ id: z.string().min(1) });

export const POST = apiRoute({ action: "webhook.manage", params, body: webhookSecretInput }, async ({ req, params, body, user }) => {
  const { repository, secret, rotated, generated } = await enableWebhook({ prisma: db(), seal }, params.id, body);
  await recordAudit(db(), {
    actor: user,
    action: rotated ? "repository.webhook.rotate" : "repository.webhook.enable",
    targetType: "repository",
    targetId: repository.id,
    details: { name: repository.name, generated },
  });
  return { repositoryId: repository.id, secret, rotated, ...webhookSetup(baseUrlOf(req, env().TIDELINE_PUBLIC_URL), repository.id) };
});

export const DELETE = apiRoute({ action: "webhook.manage", params }, async ({ params, user }) => {
  const { repository, wasEnabled } = await disableWebhook(db(), params.id);
  await recordAudit(db(), {
    actor: user,
    action: "repository.webhook.disable",
    targetType: "repository",
    targetId: repository.id,
    details: { name: repository.name, wasEnabled },
  });
  return { repositoryId: repository.id, webhookConfigured: false };
});
