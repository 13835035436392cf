// Parses and formats container image references (registry[:port]/path[:tag][@digest]),
// with Docker Hub normalization (`redis` = `docker.io/library/redis`) kept separate.
import { invalid } from "../errors";

export interface ImageRef {
  /** Registry and path as written, without tag or digest. */
  name: string;
  tag?: string;
  digest?: string;
}

const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const NAME = /^[^\s@/:]+(?::\d+)?(?:\/[^\s@/:]+)*$/;

export const isValidTag = (tag: string) => TAG.test(tag);
export const isValidDigest = (digest: string) => DIGEST.test(digest);

/** Like parseImageRef, but returns undefined instead of throwing. */
export function tryParseImageRef(ref: string): ImageRef | undefined {
  const text = ref.trim();
  if (!text || /\s/.test(text)) return undefined;
  const at = text.indexOf("@");
  const digest = at >= 0 ? text.slice(at + 1) : undefined;
  const rest = at >= 0 ? text.slice(0, at) : text;
  // A colon after the last slash starts the tag; an earlier one is a registry port.
  const colon = rest.lastIndexOf(":");
  const hasTag = colon > rest.lastIndexOf("/");
  const name = hasTag ? rest.slice(0, colon) : rest;
  const tag = hasTag ? rest.slice(colon + 1) : undefined;
  if (!NAME.test(name)) return undefined;
  if (tag !== undefined && !TAG.test(tag)) return undefined;
  if (digest !== undefined && !DIGEST.test(digest)) return undefined;
  return { name, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

export function parseImageRef(ref: string): ImageRef {
  const parsed = tryParseImageRef(ref);
  if (!parsed) throw invalid(`"${ref}" is not a valid image reference`, { field: "image" });
  return parsed;
}

export function formatImageRef(ref: ImageRef): string {
  return `${ref.name}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/** Fully qualified name: `redis` -> `docker.io/library/redis`, `index.docker.io/x/y` -> `docker.io/x/y`. */
export function canonicalName(nameOrRef: string): string {
  const name = tryParseImageRef(nameOrRef)?.name ?? nameOrRef.trim();
  const slash = name.indexOf("/");
  const first = slash >= 0 ? name.slice(0, slash) : "";
  const hasDomain = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  let domain = hasDomain ? first : "docker.io";
  const path = hasDomain ? name.slice(slash + 1) : name;
  if (domain === "index.docker.io" || domain === "registry-1.docker.io") domain = "docker.io";
  return domain === "docker.io" && !path.includes("/") ? `${domain}/library/${path}` : `${domain}/${path}`;
}

export const sameImageName = (a: string, b: string) => canonicalName(a) === canonicalName(b);
