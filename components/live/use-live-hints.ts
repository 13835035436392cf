"use client";
// Follows the user's change hints (GET /api/live) and invalidates the react-query keys of what
// changed; "resync" (the server could not resume) invalidates everything. Reconnects like
// use-environment-stream.ts: backoff on errors, at once on "rotate", from the last id received.
import { useEffect } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { setUserLiveState } from "./user-live-status";

type Hint = { topic: "environment" | "promotion"; id: string; applicationId: string } | { topic: "notification" | "inbox" };

/** The query keys a hint makes stale. */
export function keysOf(h: Hint): Array<readonly unknown[]> {
  if (h.topic === "notification") return [["notifications"]];
  if (!("applicationId" in h)) return [["overview"], ["promotion-inbox"]]; // inbox
  const keys: Array<readonly unknown[]> = [["overview"], ["application", h.applicationId], ["pipeline", h.applicationId]];
  if (h.topic === "promotion") keys.push(["promotion", h.id], ["promotion-inbox"], ["promotions-recent"]);
  return keys;
}

/**
 * Invalidates keys at most once per `everyMs`: a fleet reconciling 1,000 environments announces
 * several changes a second, and refetching the overview on each (cancelling the refetch before)
 * would be a request storm worse than the polling it replaces.
 */
export function coalescingInvalidator(client: QueryClient, everyMs = 1_000) {
  const pending = new Map<string, readonly unknown[]>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    const keys = [...pending.values()];
    pending.clear();
    for (const queryKey of keys) void client.invalidateQueries({ queryKey }, { cancelRefetch: false });
  };
  return {
    add(keys: Array<readonly unknown[]>) {
      for (const k of keys) pending.set(JSON.stringify(k), k);
      timer ??= setTimeout(flush, everyMs);
    },
    cancel() {
      clearTimeout(timer);
      pending.clear();
    },
  };
}

export function useLiveHints() {
  const client = useQueryClient();
  useEffect(() => {
    const stale = coalescingInvalidator(client);
    let source: EventSource | null = null;
    let lastId: string | null = null;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = () => {
      const es = new EventSource(`/api/live${lastId ? `?lastEventId=${encodeURIComponent(lastId)}` : ""}`);
      source = es;
      const on = (name: string, apply: (data: any) => void) =>
        es.addEventListener(name, (e) => {
          const m = e as MessageEvent<string>;
          lastId = m.lastEventId || lastId;
          attempt = 0;
          setUserLiveState("live");
          apply(JSON.parse(m.data));
        });
      on("ready", () => {});
      on("hint", (h: Hint) => stale.add(keysOf(h)));
      on("resync", () => void client.invalidateQueries());
      es.addEventListener("rotate", () => {
        es.close();
        if (!stopped) timer = setTimeout(open, 0);
      });
      es.onerror = () => {
        es.close();
        if (stopped) return;
        setUserLiveState("polling");
        attempt += 1;
        const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt - 1, 6)) * (0.75 + Math.random() / 2);
        timer = setTimeout(open, attempt === 1 ? 250 : delay);
      };
    };
    open();
    return () => {
      stopped = true;
      stale.cancel();
      clearTimeout(timer);
      source?.close();
      setUserLiveState("connecting");
    };
  }, [client]);
}
