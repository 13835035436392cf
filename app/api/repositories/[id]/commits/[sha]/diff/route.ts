import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { getFileDiff } from "@/lib/repositories/browse";
import { shaParam } from "@/lib/repositories/schemas";
import { browseDeps } from "@/server/root";

export const GET = apiRoute(
  {
    action: "repository.read",
    params: z.object({ id: z.string().min(1), sha: shaParam }),
    query: z.object({ path: z.string().min(1, "path is required").max(4096) }),
  },
  async ({ params, query }) => getFileDiff(browseDeps(), params.id, params.sha, query.path),
);
