// What the image automation API returns, as the browser sees it (dates are ISO strings).
export type TagPolicy =
  | { type: "semver"; range: string }
  | { type: "regex"; pattern: string; extract: string; order: "asc" | "desc"; sort: "numeric" | "alphabetical" }
  | { type: "numeric"; order: "asc" | "desc" };

export interface ImagePolicy {
  id: string;
  name: string;
  image: string;
  insecure: boolean;
  username: string | null;
  hasPassword: boolean;
  policy: TagPolicy;
  allowDowngrade: boolean;
  writeMode: "commit" | "change_request";
  intervalSeconds: number;
  latestTag: string | null;
  latestDigest: string | null;
  lastCheckedAt: string | null;
  nextCheckAt: string;
  lastError: string | null;
  lastRequests: number;
  requestsPerMinute: number;
  environments: Array<{ id: string; name: string; application: string; repositoryId: string; branch: string }>;
}

export interface EnvironmentChoice {
  id: string;
  name: string;
  application: string;
  branch: string;
  path: string;
}

export interface ImageUpdate {
  id: string;
  policyId: string;
  policy: string;
  image: string;
  environmentId: string;
  environment: string | null;
  application: string | null;
  branch: string | null;
  repositoryId: string | null;
  tag: string;
  digest: string | null;
  previousTag: string | null;
  trigger: string;
  status: "pending" | "committed" | "change_request" | "synced" | "failed" | "skipped";
  error: string | null;
  commitSha: string | null;
  changeRequest: { id: string; number: number; status: string; title: string; mergedSha: string | null; mergedAt: string | null } | null;
  detectedAt: string;
  committedAt: string | null;
  syncedAt: string | null;
  durations: { toCommitMs: number | null; commitToSyncMs: number | null; totalMs: number | null };
}

export interface CheckOutcome {
  ok: boolean;
  latestTag: string | null;
  requests: number;
  error?: { code: string; message: string };
  environments: Array<{
    environment: string;
    application: string;
    status: string;
    from?: string | null;
    to?: string;
    commitSha?: string;
    changeRequestNumber?: number;
    reason?: string;
  }>;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return "";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function describePolicy(p: TagPolicy): string {
  if (p.type === "semver") return `semver ${p.range}`;
  if (p.type === "numeric") return `numeric (${p.order === "asc" ? "highest" : "lowest"} wins)`;
  return `regex ${p.pattern}${p.extract ? ` → ${p.extract}` : ""} (${p.sort}, ${p.order})`;
}
