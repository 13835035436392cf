// Shapes the repository API returns (mirrors lib/repositories/*).
export interface Repository {
  id: string;
  name: string;
  url: string;
  username: string | null;
  hasToken: boolean;
  webhookConfigured?: boolean;
  status: "pending" | "cloning" | "ready" | "fetching" | "error";
  lastError: string | null;
  defaultBranch: string | null;
  lastFetchedAt: string | null;
  lastFetchDurationMs: number | null;
  progress: { phase: string; loaded: number | null; total: number | null } | null;
  commits?: number;
  branches?: number;
}

export interface CommitSummary {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authoredAt: string;
  committedAt: string;
  message: string;
  filesChanged: number;
  files: Array<{ path: string; change: string }>;
}

export interface BranchInfo {
  name: string;
  headSha: string;
  isDefault: boolean;
}

export type FileContent =
  | { kind: "text"; path: string; size: number; content: string }
  | { kind: "binary"; path: string; size: number }
  | { kind: "too_large"; path: string; size: number; limit: number };

export const isBusy = (r: Repository) => r.status === "pending" || r.status === "cloning" || r.status === "fetching";
