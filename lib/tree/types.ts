// What the resource tree and the events views carry to the browser: plain data, no Kubernetes
// objects (so no Secret values can ride along). Shared by lib/tree, lib/live and components/tree.

export interface PodInfo {
  phase: string;
  /** "1/2": ready containers of all containers. */
  ready: string;
  restarts: number;
  node: string | null;
  images: string[];
}

export interface TreeNode {
  /** The object's uid when it exists; "missing:<kind>/<namespace>/<name>" for an applied object not in the cluster. */
  id: string;
  parentId: string | null;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** Only objects Tideline applied (the roots) have a sync status. */
  syncStatus: string | null;
  health: string;
  healthMessage: string;
  /** One line: the latest Warning event when the node is Degraded or Progressing, else the health message. */
  reason: string;
  warnings: number;
  createdAt: string | null;
  pod?: PodInfo;
}

/** A kind the tree could not read (the cluster refused or is unreachable), shown where it happened. */
export interface TreeProblem {
  kind: string;
  namespace?: string;
  message: string;
}

export interface TreeView {
  environmentId: string;
  nodes: TreeNode[];
  problems: TreeProblem[];
}

export interface EventView {
  id: string;
  type: string;
  reason: string;
  message: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
  source: string;
  object: { kind: string; namespace: string; name: string; uid: string | null };
}
