// Whether an environment's live stream is up, shared by every component of its page: queries
// poll only while the stream is down ("polling"), never while it is "live".
import { useSyncExternalStore } from "react";

export type LiveState = "connecting" | "live" | "polling";

const states = new Map<string, LiveState>();
const listeners = new Set<() => void>();

export function setLiveState(environmentId: string, state: LiveState) {
  if (states.get(environmentId) === state) return;
  states.set(environmentId, state);
  listeners.forEach((l) => l());
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useLiveState(environmentId: string): LiveState {
  return useSyncExternalStore(
    subscribe,
    () => states.get(environmentId) ?? "connecting",
    () => "connecting",
  );
}

/** A react-query refetchInterval: `ms` while the stream is down, none while it is live or connecting. */
export function useLiveInterval(environmentId: string, ms: number): number | false {
  return useLiveState(environmentId) === "polling" ? ms : false;
}
