import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { listBranches } from "@/lib/repositories/browse";
import { db } from "@/lib/db";

export const GET = apiRoute({ action: "repository.read", params: z.object({ id: z.string().min(1) }) }, async ({ params }) => ({
  items: await listBranches(db(), params.id),
}));
