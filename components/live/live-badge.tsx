"use client";
// "live" while the environment's stream is up, "polling" while it is down and the page polls.
import { useLiveState } from "./live-status";

export function LiveBadge({ environmentId }: { environmentId: string }) {
  const state = useLiveState(environmentId);
  const style = { live: "bg-emerald-100 text-emerald-800", polling: "bg-amber-100 text-amber-800", connecting: "bg-slate-100 text-slate-600" }[state];
  const title = {
    live: "Updates are pushed by the server as they happen",
    polling: "The live stream is down: refreshing every few seconds while it reconnects",
    connecting: "Connecting to the live stream",
  }[state];
  return (
    <span data-testid="live-status" data-state={state} title={title} className={`my-auto ml-auto rounded px-2 py-0.5 text-xs font-medium ${style}`}>
      {state === "live" ? "● live" : state}
    </span>
  );
}
