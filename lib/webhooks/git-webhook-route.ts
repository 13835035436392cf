// The HTTP side of the Git webhook receivers: no session and no cookies (a delivery is
// authenticated by its signature), a per-address rate limit before the body is read, a
// per-repository one before any signature check, raw body read with a cap, unexpected errors mapped to 500.
import { errorResponse } from "../api/handler";
import { receiveGitWebhook, webhookResponse, type GitWebhookDeps } from "./git-webhook";
import { limitsConfig } from "../rate-limit/config";
import { addressLimited, repositoryLimiter, type WebhookLimits } from "./rate-limits";

export async function gitWebhookRoute(
  deps: GitWebhookDeps,
  request: Request,
  repositoryId: string | null,
  limits: WebhookLimits = limitsConfig(),
): Promise<Response> {
  try {
    const refused = await addressLimited(deps.prisma, request, limits);
    if (refused) return refused;
    const provider = new URL(request.url).searchParams.get("provider");
    const limited = { ...deps, limitRepository: deps.limitRepository ?? repositoryLimiter(deps.prisma, limits) };
    return webhookResponse(await receiveGitWebhook(limited, request, { repositoryId, provider }));
  } catch (error) {
    return errorResponse(error);
  }
}
