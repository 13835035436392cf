import { z } from "zod";
import { apiRoute } from "@/lib/api/handler";
import { discoverEnvironments } from "@/lib/environments/discover";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

/** Proposed applications and environments from the repository's layout, each rendered first (nothing is created). */
export const GET = apiRoute({ action: "application.read", params: z.object({ id: z.string().min(1) }) }, async ({ params }) =>
  discoverEnvironments(db(), env().mirrorsDir, params.id, { dataDir: env().TIDELINE_DATA_DIR }),
);
