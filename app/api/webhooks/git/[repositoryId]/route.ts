// Git push webhook for one repository (GitHub, GitLab, Gitea/Forgejo, generic HMAC). Public by
// design: authenticated by the delivery's signature with the repository's secret, never a session.
import { gitWebhookRoute } from "@/lib/webhooks/git-webhook-route";

export async function POST(request: Request, context: { params: Promise<{ repositoryId: string }> }): Promise<Response> {
  const { repositoryId } = await context.params;
  return gitWebhookRoute(request, repositoryId);
}
