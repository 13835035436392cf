import type { Repository } from "./types";

export function FetchProgress({ progress }: { progress: Repository["progress"] }) {
  if (!progress) return <p className="mt-1 text-xs text-slate-500">Waiting…</p>;
  const pct = progress.total ? Math.round(((progress.loaded ?? 0) / progress.total) * 100) : null;
  return (
    <div className="mt-1 w-56 text-xs text-slate-600" data-testid="fetch-progress">
      {progress.phase} {progress.total ? `${progress.loaded}/${progress.total}` : (progress.loaded ?? "")}
      {pct !== null && (
        <div className="mt-1 h-1.5 rounded bg-slate-200">
          <div className="h-1.5 rounded bg-sky-600" style={{ width: `${pct}%` }} />
        </div>
      )}
    </div>
  );
}
