// Positions for the resource tree's graph view: dagre lays the visible nodes out left to right
// (Deployment -> ReplicaSet -> Pod), one rank per level of ownership. Pure, so it is unit-tested
// and memoized by the panel on the visible structure only (a live status patch does not re-run it).
import { graphlib, layout } from "@dagrejs/dagre";

export const GRAPH_NODE_WIDTH = 260;
export const GRAPH_NODE_HEIGHT = 64;
/** Above this many visible nodes the graph is not drawn (list mode stays fast at any size). */
export const GRAPH_MAX_NODES = 1500;

export interface GraphInput {
  id: string;
  parentId: string | null;
}

export interface GraphPosition {
  id: string;
  x: number;
  y: number;
}

/**
 * Top-left positions of `nodes`, edges from each node to its visible parent. Nodes whose parent
 * is not among them are roots. Order of the input is kept among siblings.
 */
export function layoutGraph(nodes: readonly GraphInput[]): { positions: Map<string, GraphPosition>; edges: Array<{ source: string; target: string }> } {
  const g = new graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 16, ranksep: 72, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) g.setNode(n.id, { width: GRAPH_NODE_WIDTH, height: GRAPH_NODE_HEIGHT });
  const edges: Array<{ source: string; target: string }> = [];
  for (const n of nodes) {
    if (n.parentId && ids.has(n.parentId)) {
      g.setEdge(n.parentId, n.id);
      edges.push({ source: n.parentId, target: n.id });
    }
  }
  layout(g);
  const positions = new Map<string, GraphPosition>();
  for (const n of nodes) {
    const p = g.node(n.id);
    // dagre gives centres; React Flow places nodes by their top-left corner.
    positions.set(n.id, { id: n.id, x: p.x - GRAPH_NODE_WIDTH / 2, y: p.y - GRAPH_NODE_HEIGHT / 2 });
  }
  return { positions, edges };
}
