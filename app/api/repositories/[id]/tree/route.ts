import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { browseTree } from "@/lib/repositories/browse";
import { refQuery } from "@/lib/repositories/schemas";
import { browseDeps } from "@/server/root";

export const GET = apiRoute({ action: "repository.read", params: z.object({ id: z.string().min(1) }), query: refQuery }, async ({ params, query }) =>
  browseTree(browseDeps(), params.id, query.ref, query.path),
);
