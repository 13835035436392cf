// Credentials masked out of text and values before they are shown or logged: user:password@ in
// URLs, bearer/basic/token values quoted in error messages, and secret-named fields at any depth.

export const MASK = "••••••";

/** Field names whose values are never shown, however deep (payloads and log fields should carry ids only). */
export const SENSITIVE_KEY =
  /token|passw|secret|credential|api[-_]?key|authorization|cookie|private[-_]?key|kubeconfig|client[-_]?key|cert[-_]?data|key[-_]?data/i;

/** Credentials inside text (a Git or registry error quoting its URL, an echoed header): user:password@ and bearer tokens. */
export const maskText = (text: string): string =>
  text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*(?::[^\s/@]*)?@/gi, `$1${MASK}@`)
    .replace(/\b(bearer|token|basic)(\s+|=)[\w.~+/=-]{8,}/gi, `$1$2${MASK}`)
    .replace(/(password|passwd|secret|api[-_]?key|token)(["']?\s*[:=]\s*["']?)[^\s"',;&]{4,}/gi, `$1$2${MASK}`);

/** A copy of `value` with secret-named fields replaced and credentials masked inside every string. */
export function maskValue(value: unknown, depth = 0): unknown {
  if (depth > 20) return MASK;
  if (typeof value === "string") return maskText(value);
  if (value instanceof Error) return serializeError(value, depth);
  if (Array.isArray(value)) return value.map((v) => maskValue(v, depth + 1));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SENSITIVE_KEY.test(k) ? MASK : maskValue(v, depth + 1)]));
  }
  return value;
}

/** Errors are logged as type, message, stack and code only (a client error's own fields can hold request headers). */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return maskValue(error);
  const e = error as Error & { code?: unknown; status?: unknown; statusCode?: unknown };
  return {
    type: e.name,
    message: maskText(e.message),
    ...(e.stack ? { stack: maskText(e.stack) } : {}),
    ...(typeof e.code === "string" || typeof e.code === "number" ? { code: e.code } : {}),
    ...(typeof (e.status ?? e.statusCode) === "number" ? { status: e.status ?? e.statusCode } : {}),
    ...(e.cause !== undefined && depth < 3 ? { cause: serializeError(e.cause, depth + 1) } : {}),
  };
}
