// The graph view's layout: owners left of what they own, siblings stacked, no two cards overlapping.
import { expect, it } from "vitest";
import { GRAPH_NODE_HEIGHT, GRAPH_NODE_WIDTH, layoutGraph } from "../../components/tree/graph-layout";

const nodes = [
  { id: "deploy", parentId: null },
  { id: "rs-old", parentId: "deploy" },
  { id: "rs-new", parentId: "deploy" },
  ...Array.from({ length: 6 }, (_, i) => ({ id: `pod-${i}`, parentId: i < 2 ? "rs-old" : "rs-new" })),
  { id: "svc", parentId: null },
  { id: "slice", parentId: "svc" },
  { id: "orphan", parentId: "not-visible" },
];

it("puts every child to the right of its parent and draws one edge per visible ownership", () => {
  const { positions, edges } = layoutGraph(nodes);
  expect(positions.size).toBe(nodes.length);
  for (const n of nodes) {
    if (!n.parentId || !positions.has(n.parentId)) continue;
    expect(positions.get(n.id)!.x, `${n.id} right of ${n.parentId}`).toBeGreaterThanOrEqual(positions.get(n.parentId)!.x + GRAPH_NODE_WIDTH);
  }
  expect(edges).toHaveLength(nodes.filter((n) => n.parentId && n.parentId !== "not-visible").length);
  expect(edges).toContainEqual({ source: "rs-new", target: "pod-5" });
  // A node whose owner is hidden (filtered or collapsed away) is a root, not an edge to nowhere.
  expect(edges.some((e) => e.target === "orphan")).toBe(false);
  expect(positions.get("orphan")!.x).toBe(positions.get("deploy")!.x);
});

it("never overlaps two cards", () => {
  const many = [{ id: "d", parentId: null }, ...Array.from({ length: 120 }, (_, i) => ({ id: `p${i}`, parentId: "d" }))];
  const all = [...layoutGraph(many).positions.values()];
  for (let i = 0; i < all.length; i++)
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i]!;
      const b = all[j]!;
      const apart = Math.abs(a.x - b.x) >= GRAPH_NODE_WIDTH || Math.abs(a.y - b.y) >= GRAPH_NODE_HEIGHT;
      expect(apart, `${a.id} and ${b.id} overlap`).toBe(true);
    }
});
