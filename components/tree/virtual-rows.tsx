"use client";
// A fixed-row-height virtual list: only the rows in view (plus a margin) are in the DOM, so a
// tree or list of thousands of objects scrolls as fast as one of ten.
import { useState, type ReactNode } from "react";

export function VirtualRows<T>({
  rows,
  rowKey,
  rowHeight = 32,
  height = 560,
  render,
  testId,
  asTree = true,
}: {
  rows: T[];
  rowKey: (row: T) => string;
  rowHeight?: number;
  height?: number;
  render: (row: T, index: number) => ReactNode;
  testId?: string;
  /** Whether the rows are tree items (the container gets role="tree"); false for a plain list of rows. */
  asTree?: boolean;
}) {
  const [top, setTop] = useState(0);
  const overscan = 12;
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(rows.length, Math.ceil((top + height) / rowHeight) + overscan);
  return (
    <div
      data-testid={testId}
      role={asTree ? "tree" : undefined}
      className="relative overflow-auto"
      style={{ height: Math.min(height, Math.max(rowHeight * rows.length, rowHeight)) }}
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
    >
      <div style={{ height: rows.length * rowHeight, position: "relative" }}>
        {rows.slice(first, last).map((row, i) => (
          <div key={rowKey(row)} style={{ position: "absolute", top: (first + i) * rowHeight, height: rowHeight, left: 0, right: 0 }}>
            {render(row, first + i)}
          </div>
        ))}
      </div>
    </div>
  );
}
