import type { VerificationView } from "./verification-status";
export interface EnvironmentView {
  id: string;
  name: string;
  applicationId: string;
  applicationName?: string;
  clusterName?: string;
  repositoryName?: string;
  branch: string;
  path: string;
  namespace: string;
  renderer: string;
  repositoryId: string;
  clusterId: string;
  helmReleaseName: string | null;
  helmValuesFiles: string[];
  promotionVerification: string;
  verifyHealthyMinutes?: number;
  verifyTimeoutMinutes?: number;
  verifyJobs?: boolean;
  verifyHttpUrl?: string | null;
  verifyHttpStatus?: number;
  verifyHttpTimeoutSeconds?: number;
  autoRollback?: boolean;
  verifiedRevision?: string | null;
  position: number;
  deletionRequestedAt: string | null;
  autoSync: boolean;
  prune: boolean;
  selfHeal: boolean;
  detectOnly: boolean;
  allowEmpty: boolean;
  adoptExisting: boolean;
  ignoreRules: Array<{ kind?: string; name?: string; jsonPointers: string[] }>;
  desiredRevision: string | null;
  syncedRevision: string | null;
  syncStatus: string;
  health: string;
  renderError: string | null;
  lastError: string | null;
  objectCount: number;
  outOfSyncCount: number;
  lastReconciledAt: string | null;
}

export interface ResourceView {
  id: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  syncStatus: string;
  health: string;
  healthMessage: string | null;
  message: string | null;
  changes: Array<{ path: string; desired: unknown; live: unknown }> | null;
}

export interface SyncRunView {
  id: string;
  trigger: string;
  revision: string;
  actorName: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  results: Array<{ kind: string; name: string; namespace: string; action: string; message: string; health?: string; at: string }>;
  /** The verification after this sync (lib/verification), when the environment verifies. */
  verification?: VerificationView | null;
}

export const objectId = (r: { apiVersion: string; kind: string; namespace: string; name: string }) => `${r.apiVersion}|${r.kind}|${r.namespace}|${r.name}`;
