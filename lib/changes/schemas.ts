// Input schemas for change requests (propose, review, merge, list), shared by routes and lib.
import { z } from "zod";
import { editPathProblem } from "./edit-path";

const sha = z.string().regex(/^[0-9a-f]{40}$/, "must be a full 40-character commit id");
// A hard ceiling on one file's text; the configured limit (TIDELINE_MAX_FILE_BYTES, lib/limits/request-body.ts) applies below it.
const MAX_FILE_CHARS = 64_000_000;

// Relative, no "..", nothing inside .git: checked here so a bad path is a 422 naming the field.
const editPath = z
  .string()
  .min(1, "is empty")
  .max(1000)
  .superRefine((p, ctx) => {
    const problem = editPathProblem(p);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const fileEditInput = z.object({
  path: editPath,
  // null deletes the file; a rename is { path: new, content, previousPath: old }.
  content: z
    .string()
    .max(MAX_FILE_CHARS, `is larger than ${MAX_FILE_CHARS / 1_000_000} MB`)
    .nullable(),
  previousPath: editPath.optional(),
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
  // The head the reviewer saw: a review of an older head is refused (409) instead of approving newer commits.
  headSha: sha.optional(),
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

const blankToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);
/** Where a repository's change requests are opened (admin setting on the repository page). */
export const repositoryProviderInput = z
  .object({
    provider: z.enum(["git", "github", "gitlab"]),
    providerApiUrl: z
      .preprocess(
        blankToNull,
        z
          .string()
          .trim()
          .max(2000)
          .regex(/^https?:\/\/[^\s/@]+(\/[^\s@]*)?$/, "must be an http(s) URL without credentials, e.g. https://github.example.com/api/v3")
          .nullable(),
      )
      .optional(),
    providerProject: z
      .preprocess(
        blankToNull,
        z
          .string()
          .trim()
          .max(300)
          .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)+$/, "must be OWNER/REPO (GitHub) or GROUP/PROJECT (GitLab)")
          .nullable(),
      )
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.provider === "github" && v.providerProject && v.providerProject.split("/").length !== 2) {
      ctx.addIssue({ code: "custom", path: ["providerProject"], message: "must be OWNER/REPO for GitHub" });
    }
  });
export type RepositoryProviderInput = z.infer<typeof repositoryProviderInput>;
