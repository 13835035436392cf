// Enables, rotates and disables a repository's Git webhook secret (stored sealed, shown once),
// and tells the admin where to send deliveries and how to set the hook up in each provider.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { PrismaClient } from "../generated/prisma/client";
import { notFound } from "../errors";

export const webhookSecretInput = z
  .object({
    /** Optional own secret (e.g. the one of a GitHub organization hook shared by several repositories). */
    secret: z
      .string()
      .trim()
      .min(24, "must be at least 24 characters")
      .max(200, "must be at most 200 characters")
      .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
      .optional(),
  })
  .strict();
export type WebhookSecretInput = z.infer<typeof webhookSecretInput>;

export const generateWebhookSecret = () => randomBytes(32).toString("base64url");

export async function enableWebhook(deps: { prisma: PrismaClient; seal: (plain: string) => string }, repositoryId: string, input: WebhookSecretInput = {}) {
  const repo = await deps.prisma.repository.findUnique({ where: { id: repositoryId }, select: { id: true, name: true, encryptedWebhookSecret: true } });
  if (!repo) throw notFound(`Repository ${repositoryId} does not exist`);
  const secret = input.secret ?? generateWebhookSecret();
  await deps.prisma.repository.update({ where: { id: repositoryId }, data: { encryptedWebhookSecret: deps.seal(secret) } });
  return { repository: { id: repo.id, name: repo.name }, secret, rotated: repo.encryptedWebhookSecret !== null, generated: input.secret === undefined };
}

export async function disableWebhook(prisma: PrismaClient, repositoryId: string) {
  const repo = await prisma.repository.findUnique({ where: { id: repositoryId }, select: { id: true, name: true, encryptedWebhookSecret: true } });
  if (!repo) throw notFound(`Repository ${repositoryId} does not exist`);
  await prisma.repository.update({ where: { id: repositoryId }, data: { encryptedWebhookSecret: null } });
  return { repository: { id: repo.id, name: repo.name }, wasEnabled: repo.encryptedWebhookSecret !== null };
}

/** Tideline's external base URL: TIDELINE_PUBLIC_URL, else what the request was addressed to. */
export function baseUrlOf(req: Request, publicUrl?: string): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, "");
  const url = new URL(req.url);
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? url.host;
  const proto = req.headers.get("x-forwarded-proto") ?? url.protocol.replace(":", "");
  return `${proto}://${host}`;
}

export const webhookUrl = (baseUrl: string, repositoryId: string) => `${baseUrl}/api/webhooks/git/${encodeURIComponent(repositoryId)}`;

/** Step-by-step set-up per provider; the secret is referred to, never repeated. */
export function webhookSetup(baseUrl: string, repositoryId: string) {
  const url = webhookUrl(baseUrl, repositoryId);
  return {
    url,
    urlMatchingUrl: `${baseUrl}/api/webhooks/git`,
    instructions: {
      github: [
        "Repository → Settings → Webhooks → Add webhook.",
        `Payload URL: ${url}`,
        "Content type: application/json.",
        "Secret: the secret shown here.",
        "Which events: Just the push event. Active: on.",
        "GitHub signs with X-Hub-Signature-256 and names the event in X-GitHub-Event; a ping is sent right away.",
      ],
      gitlab: [
        "Project → Settings → Webhooks → Add new webhook.",
        `URL: ${url}`,
        "Secret token: the secret shown here (GitLab sends it as X-Gitlab-Token).",
        "Trigger: Push events (all branches, or the branches your environments follow).",
        "Leave SSL verification on when Tideline is served over HTTPS.",
      ],
      gitea: [
        "Repository → Settings → Webhooks → Add Webhook → Gitea (Forgejo: Forgejo).",
        `Target URL: ${url}`,
        "HTTP method: POST; POST content type: application/json.",
        "Secret: the secret shown here (Gitea signs with X-Gitea-Signature).",
        "Trigger on: Push events.",
      ],
      generic: [
        `POST ${url} with Content-Type: application/json and a body like {"repository": "<clone URL>", "branch": "main", "after": "<commit sha>"}.`,
        "X-Tideline-Timestamp: the current unix time in seconds.",
        'X-Tideline-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>.',
        "Optional: X-Tideline-Delivery (a unique id; repeats are refused) and X-Tideline-Event (push or ping).",
        `Example: ts=$(date +%s); sig=$(printf '%s.%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.* //'); curl -X POST -H "Content-Type: application/json" -H "X-Tideline-Timestamp: $ts" -H "X-Tideline-Signature: sha256=$sig" --data "$body" ${url}`,
      ],
    },
  };
}
