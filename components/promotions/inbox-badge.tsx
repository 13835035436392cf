"use client";
// The nav's count of promotions waiting for my approval.
import { useQuery } from "@tanstack/react-query";
import { useUserLiveInterval } from "../live/user-live-status";
import { promotionApi } from "./api";

export function InboxBadge() {
  // Polls only while the live hint stream is down (components/live/use-live-hints.ts).
  const liveInterval = useUserLiveInterval(15_000);
  const inbox = useQuery({
    queryKey: ["promotion-inbox"],
    queryFn: () => promotionApi<{ items: unknown[] }>("/api/promotions?inbox=1"),
    refetchInterval: liveInterval,
  });
  const count = inbox.data?.items.length ?? 0;
  if (count === 0) return null;
  return (
    <span data-testid="inbox-count" className="ml-1 rounded-full bg-amber-500 px-1.5 py-0.5 text-xs font-semibold text-white">
      {count}
    </span>
  );
}
