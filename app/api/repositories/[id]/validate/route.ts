// POST /api/repositories/:id/validate — editor markers for a file's unsaved content: YAML syntax,
// and the Kubernetes schema of the cluster of the environment the file belongs to.
import type { NextRequest } from "next/server";
import { z } from "zod";
import { apiRoute, readLimitedText } from "@/lib/api/handler";
import { invalid } from "@/lib/errors";
import { MAX_VALIDATE_BYTES, validateRepositoryFile } from "@/lib/editor/validate-file";
import { reconcileDeps } from "@/server/root";

const body = z.object({
  ref: z.string().max(250).optional(),
  path: z.string().min(1).max(4096),
  content: z.string().refine((s) => Buffer.byteLength(s, "utf8") <= MAX_VALIDATE_BYTES, "content is larger than 5 MB"),
});

/** apiRoute caps bodies at 1 MB; this route takes up to 5 MB of content (JSON-escaped: allow 2x). */
async function readBody(req: NextRequest): Promise<z.output<typeof body>> {
  const text = await readLimitedText(req, 2 * MAX_VALIDATE_BYTES + 65_536); // 413 before an oversized body is read
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw invalid("Request body is not valid JSON");
  }
  const parsed = body.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ field: i.path.join("."), message: i.message }));
    throw invalid(`Invalid body: ${issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; ")}`, { issues });
  }
  return parsed.data;
}

export const POST = apiRoute({ action: "repository.read", params: z.object({ id: z.string().min(1) }) }, async ({ req, params }) => {
  const input = await readBody(req);
  return validateRepositoryFile(reconcileDeps(), { repositoryId: params.id, ...input });
});
