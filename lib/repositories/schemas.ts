// Input schemas for repository routes (parsed at the API boundary).
import { z } from "zod";

export const addRepositoryInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Name is required")
    .max(100)
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, "Name may contain letters, digits, '.', '_' and '-', and must start with a letter or digit"),
  url: z.string().trim().min(1, "URL is required").max(2000),
  username: z.string().trim().max(200).optional().nullable(),
  token: z.string().max(4000).optional().nullable(),
});
export type AddRepositoryInput = z.infer<typeof addRepositoryInput>;

export const commitListQuery = z.object({
  branch: z.string().max(250).optional(),
  path: z.string().max(4096).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type CommitListQuery = z.infer<typeof commitListQuery>;

export const shaParam = z.string().regex(/^[0-9a-f]{40}$/, "Commit id must be a full 40-character SHA-1");
export const refQuery = z.object({ ref: z.string().max(250).optional(), path: z.string().max(4096).optional() });
