// What promotion code needs from the process: Git writes (with indexing after pushes),
// change requests, and the reconcile machinery for previews and syncs.
import type { MergeDeps } from "../changes/merge-change";
import type { ReconcileDeps } from "../reconcile/reconcile-environment";

export type PromotionDeps = MergeDeps & ReconcileDeps;

export interface PromotionActor {
  id: string;
  username: string;
  displayName?: string | null;
}
