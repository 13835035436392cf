// Git push webhook without a repository id (e.g. a GitHub organization hook): repositories are
// found by the payload's URLs, and the delivery must verify against one of their secrets.
import { loggedRoute } from "@/lib/api/handler";
import { gitWebhookRoute } from "@/lib/webhooks/git-webhook-route";
import { gitWebhookDeps } from "@/server/root";

export const POST = loggedRoute(async (request: Request) => gitWebhookRoute(gitWebhookDeps(), request, null));
