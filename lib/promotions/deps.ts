// What promotion code needs from the process: Git writes (with indexing after pushes),
// change requests, and the reconcile machinery for previews and syncs.
import type { MergeDeps } from "../changes/merge-change";
import type { ReconcileDeps } from "../reconcile/reconcile-environment";
import type { JobQueue } from "../jobs/types";

export type PromotionDeps = MergeDeps & ReconcileDeps & { jobs: JobQueue };

export interface PromotionActor {
  id: string;
  username: string;
  displayName?: string | null;
}
