// Git push webhook without a repository id (e.g. a GitHub organization hook): repositories are
// found by the payload's URLs, and the delivery must verify against one of their secrets.
import { gitWebhookRoute } from "@/lib/webhooks/git-webhook-route";

export async function POST(request: Request): Promise<Response> {
  return gitWebhookRoute(request, null);
}
