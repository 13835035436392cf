"use client";
// "Frozen until Fri 18:00 UTC": shown on the environment page (full) and on pipeline stages (compact)
// while a freeze window blocks syncs, promotions or image updates.
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";

interface Block {
  windowId: string;
  name: string;
  mode: string;
  reason: string;
  untilText: string;
}
interface FreezeState {
  frozen: boolean;
  blocks: Record<"sync" | "promotion" | "image-update", Block[]>;
  nextChangeAt: string | null;
}

// Windows open and close on a schedule, not on a write: refresh at the next opening or closing
// (a second after it), and at least every 10 minutes for windows edited meanwhile; never a tight poll.
const MAX_WAIT_MS = 10 * 60_000;
const untilNextChange = (state: FreezeState | undefined): number =>
  state?.nextChangeAt ? Math.min(MAX_WAIT_MS, Math.max(1_000, new Date(state.nextChangeAt).getTime() - Date.now() + 1_000)) : MAX_WAIT_MS;

const LABEL = { sync: "syncs", promotion: "promotions", "image-update": "image updates" } as const;

export function useFreeze(environmentId: string) {
  return useQuery({
    queryKey: ["freeze", environmentId],
    queryFn: () => api<FreezeState>(`/api/environments/${environmentId}/freeze`),
    refetchInterval: (q) => untilNextChange(q.state.data),
  });
}

export function FreezeBanner({ environmentId, compact = false }: { environmentId: string; compact?: boolean }) {
  const { data } = useFreeze(environmentId);
  if (!data?.frozen) return null;
  const entries = (Object.keys(LABEL) as Array<keyof typeof LABEL>).filter((a) => data.blocks[a].length);
  const first = data.blocks[entries[0]!][0]!;
  const headline = `Frozen until ${first.untilText}`;
  if (compact) {
    return (
      <p
        data-testid="stage-frozen"
        title={`${first.name}: ${entries.map((a) => LABEL[a]).join(", ")}`}
        className="rounded bg-indigo-100 px-2 py-0.5 text-xs font-medium text-indigo-900"
      >
        ❄ {headline}
      </p>
    );
  }
  return (
    <div role="status" data-testid="freeze-banner" className="rounded border border-indigo-300 bg-indigo-50 px-3 py-2 text-sm text-indigo-900">
      <p className="font-semibold">❄ {headline}</p>
      <ul className="mt-1 list-disc pl-5">
        {entries.map((a) => (
          <li key={a}>
            {LABEL[a]}:{" "}
            {data.blocks[a]
              .map(
                (b) =>
                  `"${b.name}"${b.mode === "allow" ? ` (allowed only inside it, next ${b.untilText})` : ` until ${b.untilText}`}${b.reason ? ` — ${b.reason}` : ""}`,
              )
              .join("; ")}
          </li>
        ))}
      </ul>
      <p className="mt-1 text-xs text-indigo-800">
        Drift is still detected and shown; auto-sync and self-heal wait. An admin may override a sync or promotion with a reason (audited).
      </p>
    </div>
  );
}
