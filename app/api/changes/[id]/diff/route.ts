import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { changeFileDiff } from "@/lib/changes/list-changes";
import { browseDeps } from "@/server/root";

const query = z.object({ path: z.string().min(1, "is required").max(1000) });

export const GET = apiRoute({ action: "change.read", params: z.object({ id: z.string().min(1).max(50) }), query }, async ({ params, query }) => {
  const { prisma, mirrorsDir, maxFileBytes } = browseDeps();
  return changeFileDiff(prisma, mirrorsDir, maxFileBytes, params.id, query.path);
});
