// Reads the editor needs from the repository API, as react-query options so several
// components share one cache entry per (base commit, path).
import { queryOptions, type QueryClient } from "@tanstack/react-query";
import { api, ApiError } from "../api";
import type { FileContent } from "../repositories/types";

export interface TreeEntry {
  name: string;
  path: string;
  type: "tree" | "blob" | "commit";
}

export const treeQuery = (repositoryId: string, ref: string, dir: string) =>
  queryOptions({
    queryKey: ["tree", repositoryId, ref, dir],
    queryFn: () =>
      api<{ commit: string; path: string; entries: TreeEntry[] }>(
        `/api/repositories/${repositoryId}/tree?ref=${encodeURIComponent(ref)}&path=${encodeURIComponent(dir)}`,
      ),
    staleTime: Infinity, // keyed by commit: never changes
  });

export const fileQuery = (repositoryId: string, ref: string, path: string) =>
  queryOptions({
    queryKey: ["file", repositoryId, ref, path],
    queryFn: () =>
      api<{ commit: string; file: FileContent }>(`/api/repositories/${repositoryId}/file?ref=${encodeURIComponent(ref)}&path=${encodeURIComponent(path)}`),
    staleTime: Infinity,
  });

/** The file's text at the base commit; null when it is not text (binary, too large). */
export async function baseText(client: QueryClient, repositoryId: string, ref: string, path: string): Promise<string | null> {
  const { file } = await client.fetchQuery(fileQuery(repositoryId, ref, path));
  return file.kind === "text" ? file.content : null;
}

/** Whether a file or folder exists at that path at the base commit. */
export async function existsAtBase(client: QueryClient, repositoryId: string, ref: string, path: string): Promise<boolean> {
  const found = (q: Promise<unknown>) =>
    q.then(
      () => true,
      (e) => {
        if (e instanceof ApiError && e.status === 404) return false;
        throw e;
      },
    );
  return (await found(client.fetchQuery(fileQuery(repositoryId, ref, path)))) || found(client.fetchQuery(treeQuery(repositoryId, ref, path)));
}
