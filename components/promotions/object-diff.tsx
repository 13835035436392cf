// The object diff of a promotion: each object the target would change, with its fields (live → desired).
import type { ImpactObject } from "./types";

const CHANGE_STYLE = { added: "bg-emerald-100 text-emerald-800", modified: "bg-amber-100 text-amber-800", removed: "bg-rose-100 text-rose-800" };
const show = (v: unknown) => (v === undefined ? "∅" : typeof v === "string" ? v : JSON.stringify(v));

export function ObjectDiff({ objects, error }: { objects: ImpactObject[]; error: string | null }) {
  return (
    <div data-testid="preview-objects" className="space-y-2">
      {error && <p className="text-sm text-rose-700">{error}</p>}
      {objects.length === 0 && !error && <p className="text-sm text-slate-500">No object in the target changes.</p>}
      {objects.map((o) => (
        <div key={o.id} data-testid={`object-diff-${o.kind}-${o.name}`} className="rounded border border-slate-200 bg-white text-sm">
          <div className="flex items-center gap-2 border-b border-slate-100 px-3 py-1.5">
            <span className={`rounded px-1.5 py-0.5 text-xs ${CHANGE_STYLE[o.change]}`}>{o.change}</span>
            <span className="font-medium">
              {o.kind}/{o.name}
            </span>
            <span className="text-xs text-slate-500">{o.namespace}</span>
          </div>
          {o.error && <p className="px-3 py-1 text-xs text-rose-700">{o.error}</p>}
          {o.changes && o.changes.length > 0 && (
            <ul className="divide-y divide-slate-50 font-mono text-xs">
              {o.changes.slice(0, 50).map((c) => (
                <li key={c.path} className="flex flex-wrap gap-x-2 px-3 py-1">
                  <span className="text-slate-600">{c.path}</span>
                  <span className="text-rose-700 line-through">{show(c.live)}</span>
                  <span>→</span>
                  <span className="text-emerald-700" data-testid="object-change-desired">
                    {show(c.desired)}
                  </span>
                </li>
              ))}
              {o.changes.length > 50 && <li className="px-3 py-1 text-slate-500">… {o.changes.length - 50} more</li>}
            </ul>
          )}
        </div>
      ))}
    </div>
  );
}
