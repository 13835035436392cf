// The HTTP side of the Git webhook receivers: no session and no cookies (a delivery is
// authenticated by its signature), raw body read with a cap, unexpected errors mapped to 500.
import { db } from "../db";
import { unseal } from "../crypto/keyring";
import { errorResponse } from "../api/handler";
import { receiveGitWebhook, webhookResponse, type GitWebhookDeps } from "./git-webhook";
import { fetchSoon } from "./fetch-trigger";

export const gitWebhookDeps = (): GitWebhookDeps => ({ prisma: db(), unseal, startFetch: (id) => fetchSoon(id) });

export async function gitWebhookRoute(request: Request, repositoryId: string | null): Promise<Response> {
  try {
    const provider = new URL(request.url).searchParams.get("provider");
    return webhookResponse(await receiveGitWebhook(gitWebhookDeps(), request, { repositoryId, provider }));
  } catch (error) {
    return errorResponse(error);
  }
}
