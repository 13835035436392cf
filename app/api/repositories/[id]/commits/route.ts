import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { listCommits } from "@/lib/repositories/list-commits";
import { commitListQuery } from "@/lib/repositories/schemas";
import { db } from "@/lib/db";

export const GET = apiRoute({ action: "repository.read", params: z.object({ id: z.string().min(1) }), query: commitListQuery }, async ({ params, query }) =>
  listCommits(db(), params.id, query),
);
