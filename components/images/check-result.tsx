"use client";
// What one "check now" did: the tag chosen, or the registry error, and the result per environment.
import type { CheckOutcome } from "./types";

export function CheckResult({ outcome }: { outcome: CheckOutcome }) {
  return (
    <div className="rounded border border-slate-200 bg-white p-3 text-sm" data-testid="check-result">
      {outcome.error ? (
        <p className="text-rose-700">
          Check failed ({outcome.error.code}): {outcome.error.message}
        </p>
      ) : (
        <p>
          Newest allowed tag: <span className="font-mono">{outcome.latestTag}</span> · {outcome.requests} registry request(s)
        </p>
      )}
      <ul className="mt-1 list-disc pl-5">
        {outcome.environments.map((e) => (
          <li key={`${e.application}/${e.environment}`} data-testid={`check-env-${e.environment}`}>
            {e.application}/{e.environment}: <span className="font-medium">{e.status.replace("_", " ")}</span>
            {e.to && e.status !== "up_to_date" ? ` ${e.from ?? "?"} → ${e.to}` : ""}
            {e.commitSha ? ` (${e.commitSha.slice(0, 7)})` : ""}
            {e.changeRequestNumber ? ` (#${e.changeRequestNumber})` : ""}
            {e.reason ? <span className="text-slate-600"> — {e.reason}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
