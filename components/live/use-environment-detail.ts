"use client";
// The environment's detail (GET /api/environments/<id>), shared by every panel of its page. The
// stream's snapshot brings the same detail, so it is not fetched beside it: only once the stream is
// down (polling), when something was cached before, or when a change invalidates it.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { useLiveState } from "./live-status";

export const environmentKey = (id: string) => ["environment", id] as const;

export function useEnvironmentDetail<T extends object>(id: string) {
  const client = useQueryClient();
  const live = useLiveState(id);
  return useQuery({
    queryKey: environmentKey(id),
    queryFn: () => api<T>(`/api/environments/${id}`),
    enabled: live !== "connecting" || client.getQueryData(environmentKey(id)) !== undefined,
    // While live, the stream keeps it current: no refetch on mount or focus (invalidations still refetch).
    staleTime: live === "live" ? Number.POSITIVE_INFINITY : 0,
    refetchInterval: (q) => (live !== "polling" ? false : (q.state.data as { runningSync?: unknown } | undefined)?.runningSync ? 1_000 : 3_000),
  });
}
