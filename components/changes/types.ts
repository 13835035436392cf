// Shapes the change request API returns (mirrors lib/changes/*).
import type { FileContent } from "../repositories/types";

export interface Review {
  id: string;
  userName: string;
  state: "approved" | "changes_requested" | "commented";
  body: string;
  externalId: string | null;
  createdAt: string;
}

export interface ChangeSummary {
  id: string;
  number: number;
  title: string;
  status: "open" | "merged" | "closed";
  kind: string;
  authorName: string;
  repositoryId: string;
  repositoryName: string;
  baseBranch: string;
  headBranch: string;
  provider: string;
  externalNumber: number | null;
  externalUrl: string | null;
  requiredReviews: number;
  approvals: number;
  changesRequested: number;
  createdAt: string;
}

export interface ChangeFile {
  path: string;
  change: "added" | "modified" | "deleted";
}

export interface ChangeDetail extends Omit<ChangeSummary, "repositoryName"> {
  body: string;
  baseSha: string;
  headSha: string;
  mergeBase: string;
  mergedSha: string | null;
  mergedAt: string | null;
  mergedByName: string | null;
  mergeMethod: string | null;
  closedAt: string | null;
  lastError: string | null;
  lastSyncedAt: string | null;
  repository: { id: string; name: string; provider: string };
  reviews: Review[];
  files: ChangeFile[];
  commits: Array<{ sha: string; authorName: string; authorEmail: string; authoredAt: string; subject: string }>;
  mergeable: boolean;
}

export interface ImpactObject {
  id: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  change: "added" | "modified" | "removed";
  syncStatus: string;
  error: string | null;
  changes: Array<{ path: string; desired: unknown; live: unknown }> | null;
}

export interface EnvironmentImpact {
  environmentId: string;
  environment: string;
  application: string;
  status: "unchanged" | "changed" | "error";
  error: string | null;
  objects: ImpactObject[];
}

export interface FileDiff {
  path: string;
  before: FileContent | null;
  after: FileContent | null;
}
