"use client";
// The arrow between two stages: what a promotion would move, and the Promote button.
import { Button } from "../ui";
import type { Arrow } from "./types";

export function PipelineArrow({
  arrow,
  sourceName,
  targetName,
  busy,
  canPromote,
  onPromote,
}: {
  arrow: Arrow;
  sourceName: string;
  targetName: string;
  busy: boolean;
  canPromote: boolean;
  onPromote: () => void;
}) {
  return (
    <div data-testid={`arrow-${sourceName}-${targetName}`} className="flex w-44 shrink-0 flex-col items-center justify-center gap-1 px-2 text-center">
      <ul className="w-full space-y-0.5 text-xs">
        {arrow.images.map((m) => (
          <li key={m.name} data-testid="arrow-image" className="font-mono" title={m.name}>
            <div className="truncate">{m.name.split("/").slice(-1)[0]}</div>
            <div className="break-all">
              <span className="text-slate-500">{m.from ?? "∅"}</span> → <span className="font-semibold text-emerald-700">{m.to}</span>
            </div>
          </li>
        ))}
        {arrow.notPromotable.map((m) => (
          <li key={m.name} data-testid="arrow-image-not-promotable" className="font-mono text-amber-800" title={m.reason}>
            <div className="truncate">{m.name.split("/").slice(-1)[0]}</div>
            <div className="break-all">
              {m.from ?? "∅"} → {m.to}
            </div>
            <div className="font-sans text-[11px] leading-tight">not promotable: {m.reason}</div>
          </li>
        ))}
        {arrow.chartFrom !== arrow.chartTo && arrow.chartTo && (
          <li className="font-mono">
            chart {arrow.chartFrom ?? "∅"} → {arrow.chartTo}
          </li>
        )}
        {arrow.inSync && (
          <li data-testid="arrow-in-sync" className="text-slate-500">
            in sync
          </li>
        )}
      </ul>
      <div className="flex w-full items-center text-slate-400" aria-hidden>
        <div className="h-0.5 flex-1 bg-slate-300" />
        <span className="-ml-1 text-xl leading-none">▶</span>
      </div>
      {canPromote && (
        <Button
          data-testid="promote-button"
          variant={arrow.inSync ? "secondary" : "primary"}
          className="text-xs"
          disabled={busy}
          title={busy ? `A promotion or rollback into ${targetName} is under way` : undefined}
          onClick={onPromote}
        >
          Promote
        </Button>
      )}
      {canPromote && busy && (
        <p data-testid="promote-blocked-reason" className="text-[11px] leading-tight text-slate-500">
          A promotion or rollback into {targetName} is under way; Promote opens again when it ends.
        </p>
      )}
    </div>
  );
}
