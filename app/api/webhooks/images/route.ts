// Image-pushed webhooks from CI and registries (token or HMAC authenticated, not session cookies).
import { handleImageWebhook } from "@/lib/images/automation-webhook";
import { imageDeps } from "@/lib/services";

export const POST = (req: Request) => handleImageWebhook(imageDeps(), req);
