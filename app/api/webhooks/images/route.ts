// Image-pushed webhooks from CI and registries (token or HMAC authenticated, not session cookies),
// rate limited per client address before anything is read or checked.
import { loggedRoute } from "@/lib/api/handler";
import { handleImageWebhook } from "@/lib/images/automation-webhook";
import { addressLimited } from "@/lib/webhooks/rate-limits";
import { limitsConfig } from "@/lib/rate-limit/config";
import { imageDeps } from "@/server/root";

export const POST = loggedRoute(async (req: Request) => {
  const deps = imageDeps();
  const refused = await addressLimited(
    deps.prisma,
    req,
    limitsConfig(),
    req.headers.get("content-type")?.includes("vnd.docker.distribution.events") ? "registry" : "ci",
  );
  return refused ?? handleImageWebhook(deps, req);
});
