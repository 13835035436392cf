import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { getCommit } from "@/lib/repositories/browse";
import { shaParam } from "@/lib/repositories/schemas";
import { db } from "@/lib/db";

export const GET = apiRoute({ action: "repository.read", params: z.object({ id: z.string().min(1), sha: shaParam }) }, async ({ params }) => ({
  commit: await getCommit(db(), params.id, params.sha),
}));
