"use client";
// Follows the user's change hints (GET /api/live) and invalidates the react-query keys of what
// changed; "resync" (the server could not resume) invalidates everything. Reconnects like
// use-environment-stream.ts: backoff on errors, at once on "rotate", from the last id received.
import { useEffect } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { setUserLiveState } from "./user-live-status";

type Hint = { topic: "environment" | "promotion"; id: string; applicationId: string } | { topic: "notification" | "inbox" };

export function applyHint(client: QueryClient, h: Hint) {
  const inv = (queryKey: readonly unknown[]) => void client.invalidateQueries({ queryKey });
  if (h.topic === "notification") return inv(["notifications"]);
  inv(["overview"]);
  if (h.topic === "inbox") return inv(["promotion-inbox"]);
  if (!("applicationId" in h)) return;
  inv(["application", h.applicationId]);
  inv(["pipeline", h.applicationId]);
  if (h.topic === "promotion") {
    inv(["promotion", h.id]);
    inv(["promotion-inbox"]);
    inv(["promotions-recent"]);
  }
}

export function useLiveHints() {
  const client = useQueryClient();
  useEffect(() => {
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
      on("hint", (h: Hint) => applyHint(client, h));
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
      clearTimeout(timer);
      source?.close();
      setUserLiveState("connecting");
    };
  }, [client]);
}
