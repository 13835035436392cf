// Label values with bounded cardinality: a Kubernetes verb instead of a path, a route pattern
// instead of a URL, a short code instead of a message.

/** The Kubernetes verb of a request (get/list from the path's shape; apply for server-side apply). */
export function kubeVerb(method: string, apiPath: string, contentType?: string): string {
  switch (method) {
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "DELETE":
      return "delete";
    case "PATCH":
      return contentType?.includes("apply-patch") ? "apply" : "patch";
  }
  const parts = apiPath.split("?")[0]!.split("/").filter(Boolean);
  // /api/<version>/... (core) or /apis/<group>/<version>/...; anything shorter is discovery (/api, /apis/apps/v1, /version, /openapi/v3).
  let rest = parts[0] === "api" ? parts.slice(2) : parts[0] === "apis" ? parts.slice(3) : [];
  if (rest.length === 0) return "discovery";
  if (rest[0] === "namespaces" && rest.length >= 3) rest = rest.slice(2);
  return rest.length === 1 ? "list" : "get";
}

// A segment that is clearly an identifier (cuid, uuid, commit id, number): never a label value.
const ID_LIKE = /^(?:c[a-z0-9]{20,}|[0-9a-f]{7,64}|[0-9a-f-]{36}|\d+)$/i;

/**
 * The route's pattern (/api/environments/[id]/sync) from the request path and the params Next
 * matched: each segment holding a param's value becomes [name]; an id-like leftover becomes [id].
 */
export function routePattern(pathname: string, params: Record<string, string | string[] | undefined> = {}): string {
  const byValue = new Map<string, string>();
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === "string" && value) byValue.set(value, `[${name}]`);
    else if (Array.isArray(value)) for (const v of value) byValue.set(v, `[...${name}]`);
  }
  const out: string[] = [];
  for (const raw of pathname.split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      segment = raw;
    }
    const named = byValue.get(segment) ?? (ID_LIKE.test(segment) ? "[id]" : raw);
    if (named.startsWith("[...") && out[out.length - 1] === named) continue; // a catch-all spans several segments
    out.push(named);
  }
  return out.join("/").slice(0, 120);
}

/** A short machine code as a label value, or "other" (a message or anything unexpected never becomes a label). */
export const boundedCode = (code: string | undefined | null): string => (code && /^[a-z][a-z0-9_]{0,31}$/.test(code) ? code : "other");
