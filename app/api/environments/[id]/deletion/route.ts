import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { applicationOf } from "@/lib/auth/application-roles";
import { deletionPreview } from "@/lib/environments/delete-environment";
import { notFound } from "@/lib/errors";
import { reconcileDeps } from "@/server/root";

/** What deleting the environment with prune would delete: its live objects carrying its inventory label. */
export const GET = apiRoute(
  { action: "application.read", scope: (prisma, p) => applicationOf.environment(prisma, p.id), params: z.object({ id: z.string().min(1) }) },
  async ({ params }) => {
    const [env] = await deletionPreview(reconcileDeps(), [params.id]);
    if (!env) throw notFound(`Environment ${params.id} does not exist`);
    return env;
  },
);
