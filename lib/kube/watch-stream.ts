// Streams a Kubernetes WATCH as parsed events (one JSON object per line).
import { fetch } from "undici";
import { authenticate, describeNetworkError, KubeError, type KubeClient } from "./transport";
import { metrics } from "../metrics/registry";

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    uid?: string;
    managedFields?: unknown;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export async function* watchStream(
  client: KubeClient,
  path: string,
  query: Record<string, string | number | boolean>,
  signal: AbortSignal,
): AsyncGenerator<WatchEvent> {
  const url = new URL(client.server.replace(/\/$/, "") + path);
  url.searchParams.set("watch", "true");
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
  const auth = await authenticate(client, url.toString(), "GET");
  let res;
  try {
    res = await fetch(url, { headers: { ...auth.headers, Accept: "application/json" }, dispatcher: auth.dispatcher, signal });
  } catch (error) {
    const failure = describeNetworkError(client, error);
    if (!signal.aborted) metrics().kubeRequests.inc({ cluster: client.name, verb: "watch", code: failure.failure });
    throw failure;
  }
  metrics().kubeRequests.inc({ cluster: client.name, verb: "watch", code: String(res.status) });
  if (res.status === 410) throw new KubeError("gone", `watch ${path}: resourceVersion too old`, 410);
  if (!res.ok || !res.body)
    throw new KubeError(
      res.status === 401 ? "unauthorized" : res.status === 403 ? "forbidden" : "http",
      `cluster ${client.name}: watch ${path} failed with HTTP ${res.status}`,
      res.status,
    );
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let start = 0;
      let nl: number;
      while ((nl = buffer.indexOf("\n", start)) >= 0) {
        const line = buffer.slice(start, nl).trim();
        start = nl + 1;
        if (line) yield JSON.parse(line) as WatchEvent;
      }
      buffer = buffer.slice(start);
    }
  } catch (error) {
    if (signal.aborted) return;
    throw describeNetworkError(client, error);
  }
}
