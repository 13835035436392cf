// What the promotion API answers, as the browser sees it (dates are ISO strings).
import type { FileContent } from "../repositories/types";

export interface StageImage {
  image: string;
  name: string;
  tag: string | null;
  digest: string | null;
}
export interface ActivePromotion {
  id: string;
  kind: string;
  status: string;
  targetEnvironmentId: string;
  sourceEnvironmentId: string | null;
}

export interface Stage {
  id: string;
  name: string;
  cluster: string;
  namespace: string;
  branch: string;
  path: string;
  revision: string;
  syncedRevision: string | null;
  desiredRevision: string | null;
  syncStatus: string;
  health: string;
  images: StageImage[];
  chartVersion: string | null;
  renderError: string | null;
  protected: boolean;
  requiredApprovals: number;
  soakMinutes: number;
  promotionStrategy: string;
  syncHold: boolean;
  syncHoldReason: string | null;
  syncHoldRevision: string | null;
  syncHoldChangeRequestId: string | null;
  activePromotion: ActivePromotion | null;
}

export interface ImageMove {
  name: string;
  from: string | null;
  to: string;
}

export interface Arrow {
  sourceId: string;
  targetId: string;
  images: ImageMove[];
  /** Images that differ but that Promote cannot write into the target's sources, with why. */
  notPromotable: Array<ImageMove & { reason: string }>;
  revisionDiffers: boolean;
  chartFrom: string | null;
  chartTo: string | null;
  inSync: boolean;
}

export interface Pipeline {
  application: { id: string; name: string };
  stages: Stage[];
  arrows: Arrow[];
}

export interface ObjectChange {
  path: string;
  desired?: unknown;
  live?: unknown;
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
  changes: ObjectChange[] | null;
}

export interface PromotionPreview {
  strategy: string;
  sourceRevision: string;
  targetBaseRevision: string;
  commit: string;
  files: Array<{ path: string; change: "added" | "modified" | "deleted"; before: string | null; after: string | null }>;
  images: ImageMove[];
  unmatched: string[];
  notPromotable: Array<ImageMove & { reason: string }>;
  impact: { status: "unchanged" | "changed" | "error"; error: string | null; objects: ImpactObject[] };
  warnings: string[];
  blockers: string[];
  previewHash: string;
  title: string;
  source: { id: string; name: string; syncStatus: string; health: string };
  target: { id: string; name: string; branch: string; protected: boolean; requiredApprovals: number };
}

export interface Approval {
  id: string;
  userId: string;
  userName: string;
  decision: "approved" | "rejected";
  comment: string;
  override: boolean;
  createdAt: string;
}
export interface PromotionEvent {
  id: string;
  at: string;
  actorName: string;
  action: string;
  detail: string | null;
}

export interface PromotionSummary {
  title?: string;
  images?: ImageMove[];
  files?: Array<{ path: string; change: "added" | "modified" | "deleted" }>;
  warnings?: string[];
  revision?: string;
  syncRunId?: string;
}

export interface PromotionDetail {
  id: string;
  kind: "promotion" | "rollback";
  status: string;
  strategy: string;
  sourceRevision: string | null;
  targetBaseRevision: string;
  summary: PromotionSummary;
  commitSha: string | null;
  requiredApprovals: number;
  authorId: string | null;
  authorName: string;
  error: string | null;
  createdAt: string;
  mergedAt: string | null;
  syncedAt: string | null;
  finishedAt: string | null;
  targetEnvironment: {
    id: string;
    name: string;
    branch: string;
    repositoryId: string;
    syncStatus: string;
    health: string;
    syncedRevision: string | null;
    application: { id: string; name: string };
  };
  sourceEnvironment: { id: string; name: string } | null;
  approvals: Approval[];
  events: PromotionEvent[];
  changeRequest: { id: string; number: number; status: string; headBranch: string; externalUrl: string | null } | null;
}

export interface PromotionListItem {
  id: string;
  kind: string;
  status: string;
  application: string;
  applicationId: string;
  source: string | null;
  target: string;
  targetEnvironmentId: string;
  title: string | null;
  authorName: string;
  createdAt: string;
  requiredApprovals: number;
  approvals: number;
  rejections: number;
  changeRequest: { id: string; number: number } | null;
  error: string | null;
}

export interface RollbackTarget {
  syncRunId: string;
  revision: string;
  startedAt: string;
  actorName: string;
  trigger: string;
  subject: string | null;
  current: boolean;
  available: boolean;
  reason: string | null;
}

export interface FileDiff {
  path: string;
  before: FileContent | null;
  after: FileContent | null;
}

export const ACTIVE_STATUSES = ["proposed", "awaiting_approval", "approved", "merged", "syncing"];
export const isActive = (status: string) => ACTIVE_STATUSES.includes(status);
