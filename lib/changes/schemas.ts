// Input schemas for change requests (propose, review, merge, list), shared by routes and lib.
import { z } from "zod";

const sha = z.string().regex(/^[0-9a-f]{40}$/, "must be a full 40-character commit id");
const MAX_FILE_BYTES = 2_000_000;

export const fileEditInput = z.object({
  path: z.string().min(1, "is empty").max(1000),
  // null deletes the file; a rename is { path: new, content, previousPath: old }.
  content: z.string().max(MAX_FILE_BYTES, `is larger than ${MAX_FILE_BYTES / 1_000_000} MB`).nullable(),
  previousPath: z.string().min(1).max(1000).optional(),
});
export type FileEditInput = z.infer<typeof fileEditInput>;

export const branchName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(?!\/|.*\/$|.*\.lock$|.*\.\.|.*\/\/|.*@\{)[A-Za-z0-9._\/-]+$/, "must be a valid Git branch name (letters, digits, . _ - /)");

export const proposeChangeInput = z.object({
  repositoryId: z.string().min(1),
  baseBranch: branchName,
  // The commit the user's edits were made on: if the branch moved, Tideline rebases or reports a conflict.
  baseSha: sha.optional(),
  headBranch: branchName.optional(),
  title: z.string().trim().min(1, "is required").max(200),
  body: z.string().max(20_000).default(""),
  files: z.array(fileEditInput).min(1, "must contain at least one file").max(500),
});
export type ProposeChangeInput = z.infer<typeof proposeChangeInput>;

export const previewEditInput = proposeChangeInput.pick({ repositoryId: true, baseBranch: true, baseSha: true, files: true });

export const reviewInput = z.object({
  state: z.enum(["approved", "changes_requested", "commented"]),
  body: z.string().max(20_000).default(""),
});

export const mergeInput = z.object({
  method: z.enum(["merge", "fast-forward"]).default("merge"),
  // Optimistic check: merge only what the reviewer saw.
  expectedHeadSha: sha.optional(),
});

export const listChangesQuery = z.object({
  status: z.enum(["open", "merged", "closed", "all"]).default("open"),
  repositoryId: z.string().max(50).optional(),
  kind: z.enum(["edit", "promotion", "rollback", "image-update"]).optional(),
  author: z.string().max(100).optional(),
  q: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(30),
});
export type ListChangesQuery = z.infer<typeof listChangesQuery>;
