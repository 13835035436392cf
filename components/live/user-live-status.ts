// Whether the user's change-hint stream (GET /api/live) is up: pages poll only while it is down.
import { useSyncExternalStore } from "react";
import type { LiveState } from "./live-status";

let state: LiveState = "connecting";
const listeners = new Set<() => void>();

export function setUserLiveState(next: LiveState) {
  if (state === next) return;
  state = next;
  listeners.forEach((l) => l());
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useUserLiveState(): LiveState {
  return useSyncExternalStore(
    subscribe,
    () => state,
    () => "connecting",
  );
}

/** A react-query refetchInterval: `ms` unless the hint stream is live. */
export function useUserLiveInterval(ms: number): number | false {
  return useUserLiveState() === "live" ? false : ms;
}
