// Git push webhook for one repository (GitHub, GitLab, Gitea/Forgejo, generic HMAC). Public by
// design: authenticated by the delivery's signature with the repository's secret, never a session.
import { loggedRoute } from "@/lib/api/handler";
import { gitWebhookRoute } from "@/lib/webhooks/git-webhook-route";
import { gitWebhookDeps } from "@/server/root";

export const POST = loggedRoute(async (request: Request, context: { params: Promise<{ repositoryId: string }> }) => {
  const { repositoryId } = await context.params;
  return gitWebhookRoute(gitWebhookDeps(), request, repositoryId);
});
