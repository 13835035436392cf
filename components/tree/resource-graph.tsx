"use client";
// The resource tree as a graph (as in Argo CD's application view): a card per object, left to
// right from what Tideline applied to what the cluster made of it. Laid out by dagre, drawn by
// React Flow; only the visible cards are rendered, and the layout re-runs only when the set of
// visible nodes or their ownership changes, not when a status does.
import "@xyflow/react/dist/style.css";
import { memo, useMemo } from "react";
import { Background, Controls, Handle, type Node, type NodeProps, Position, ReactFlow } from "@xyflow/react";
import type { TreeNode } from "@/lib/tree/types";
import { HealthBadge, SyncBadge } from "../environments/badges";
import { GRAPH_MAX_NODES, GRAPH_NODE_HEIGHT, GRAPH_NODE_WIDTH, layoutGraph } from "./graph-layout";

interface CardData extends Record<string, unknown> {
  node: TreeNode;
  selected: boolean;
  hasChildren: boolean;
  collapsed: boolean;
  onToggle: (id: string) => void;
}

const ObjectCard = memo(function ObjectCard({ data }: NodeProps<Node<CardData>>) {
  const { node: n, selected, hasChildren, collapsed, onToggle } = data;
  return (
    <div
      data-testid={`graph-node-${n.kind}-${n.name}`}
      data-health={n.health}
      title={n.reason}
      className={`flex flex-col justify-center gap-0.5 rounded border bg-white px-2 text-xs shadow-sm ${selected ? "border-sky-600 ring-2 ring-sky-300" : "border-slate-300"}`}
      style={{ width: GRAPH_NODE_WIDTH, height: GRAPH_NODE_HEIGHT }}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="flex items-center gap-1">
        <span className="shrink-0 text-slate-500">{n.kind}</span>
        <span className="min-w-0 truncate font-mono">{n.name}</span>
        {hasChildren && (
          <button
            type="button"
            aria-label={collapsed ? "Expand" : "Collapse"}
            className="nodrag ml-auto shrink-0 rounded px-1 text-slate-500 hover:bg-slate-100"
            onClick={(e) => {
              e.stopPropagation();
              onToggle(n.id);
            }}
          >
            {collapsed ? "+" : "−"}
          </button>
        )}
      </div>
      <div className="flex items-center gap-1">
        <HealthBadge status={n.health} title={n.healthMessage} />
        {n.syncStatus && <SyncBadge status={n.syncStatus} />}
        {n.warnings > 0 && <span className="rounded bg-amber-100 px-1 text-amber-800">⚠ {n.warnings}</span>}
        {n.pod && (
          <span className="truncate text-slate-500">
            {n.pod.phase} · {n.pod.ready}
            {n.pod.restarts ? ` · ${n.pod.restarts}↻` : ""}
          </span>
        )}
      </div>
      {n.health !== "Healthy" && n.reason && <div className="truncate text-slate-600">{n.reason}</div>}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const nodeTypes = { object: ObjectCard };

export function ResourceGraph({
  rows,
  selectedId,
  collapsed,
  onSelect,
  onToggle,
}: {
  rows: Array<{ node: TreeNode; hasChildren: boolean }>;
  selectedId: string | null;
  collapsed: ReadonlySet<string>;
  onSelect: (id: string) => void;
  onToggle: (id: string) => void;
}) {
  // The structure only: a pod turning Ready must not lay the whole graph out again.
  const structure = rows.map((r) => `${r.node.id}<${r.node.parentId ?? ""}`).join("|");
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the structure string on purpose (see above)
  const laid = useMemo(() => (rows.length > GRAPH_MAX_NODES ? null : layoutGraph(rows.map((r) => r.node))), [structure]);
  const nodes = useMemo<Node<CardData>[]>(
    () =>
      laid
        ? rows.map((r) => ({
            id: r.node.id,
            type: "object",
            position: laid.positions.get(r.node.id) ?? { x: 0, y: 0 },
            data: { node: r.node, selected: r.node.id === selectedId, hasChildren: r.hasChildren, collapsed: collapsed.has(r.node.id), onToggle },
            draggable: false,
            connectable: false,
          }))
        : [],
    [laid, rows, selectedId, collapsed, onToggle],
  );
  const edges = useMemo(() => (laid ? laid.edges.map((e) => ({ id: `${e.source}>${e.target}`, ...e, type: "smoothstep" })) : []), [laid]);

  if (!laid)
    return (
      <p className="px-3 py-6 text-center text-sm text-slate-600" data-testid="graph-too-large">
        {rows.length} objects are too many to draw as a graph (at most {GRAPH_MAX_NODES}): collapse some, filter, or use the list.
      </p>
    );
  return (
    <div className="h-[36rem]" data-testid="tree-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodeClick={(_e, node) => onSelect(node.id)}
        nodesDraggable={false}
        nodesConnectable={false}
        onlyRenderVisibleElements
        fitView
        fitViewOptions={{ maxZoom: 1 }}
        minZoom={0.05}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
