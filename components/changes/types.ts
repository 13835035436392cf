// Shapes the change request API returns (mirrors lib/changes/*).
import type { FileContent } from "../repositories/types";

export interface Review {
  id: string;
  userName: string;
  state: "approved" | "changes_requested" | "commented";
  body: string;
  externalId: string | null;
  /** The head commit it was given on; an approval counts only while that is the head. */
  commitSha: string | null;
  dismissedAt: string | null;
  /** counts: approves the current head; blocks: changes requested; the rest are history. */
  standing?: "counts" | "blocks" | "stale" | "dismissed" | "author" | "superseded" | "comment";
  createdAt: string;
}

/** One application whose protected environments the change renders differently (lib/changes/approvals.ts). */
export interface ApprovalRequirement {
  applicationId: string;
  application: string;
  approvals: number;
  environments: Array<{ environmentId: string; environment: string; objects: number; renderError: string | null; requiredApprovals: number }>;
  summary: string;
  have: number;
  met: boolean;
  approvedBy: string[];
  notCounted: Array<{ userName: string; reason: string }>;
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
  requirements: ApprovalRequirement[];
  /** Why it cannot merge yet (empty when it can). */
  blockers: string[];
  staleApprovals: number;
  protectionPending: boolean;
  promotion: { id: string; kind: string; status: string; authorName: string } | null;
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
  status: "unchanged" | "changed" | "error" | "preexisting_error";
  error: string | null;
  objects: ImpactObject[];
}

export interface FileDiff {
  path: string;
  before: FileContent | null;
  after: FileContent | null;
}
