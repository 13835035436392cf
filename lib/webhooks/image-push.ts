// Parses "an image was pushed" notifications: a CI job's simple JSON or a Docker/OCI registry's
// notification envelope, into image/tag/digest records; pulls and blob pushes are set aside with reasons.
import { z } from "zod";
import { AppError } from "../errors";
import { formatPayloadIssues, requiredString } from "./git-push";

export type ImagePush = { image: string; tag?: string; digest?: string };
export type ImagePushParse = { images: ImagePush[]; ignored: string[] };

export const REGISTRY_EVENTS_CONTENT_TYPE = "application/vnd.docker.distribution.events.v1+json";

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/;
// host[:port]/path components: lowercase alphanumerics with . _ - separators (distribution's reference grammar, simplified).
const NAME = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?(:\d+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)+$/;

const optionalString = () => z.string({ error: "expected a string" }).optional().nullable();
const object = <T extends z.ZodRawShape>(shape: T) => z.object(shape, { error: (i) => (i.input === undefined ? "Required" : "expected an object") });

/** Splits "host/team/app:1.4@sha256:…" into its name, tag and digest (the port colon is not a tag). */
function splitReference(ref: string): { name: string; tag?: string; digest?: string } {
  let name = ref.trim();
  let digest: string | undefined;
  let tag: string | undefined;
  const at = name.indexOf("@");
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
  }
  const colon = name.lastIndexOf(":");
  if (colon > name.lastIndexOf("/")) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  return { name: name.toLowerCase(), ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

const simpleSchema = object({
  image: requiredString().refine((v) => !v.includes("://"), "give a reference like registry.example.com/team/app, without a scheme"),
  tag: z.string({ error: "expected a string" }).regex(TAG, "is not a valid tag (letters, digits, '_', '.', '-'; at most 128)").optional(),
  digest: z.string({ error: "expected a string" }).regex(DIGEST, "must look like sha256:<64 hex digits>").optional(),
}).superRefine((body, ctx) => {
  const ref = splitReference(body.image);
  if (!NAME.test(ref.name)) {
    ctx.addIssue({ code: "custom", path: ["image"], message: `"${ref.name}" is not an image name like registry.example.com/team/app` });
  }
  if (ref.tag !== undefined && !TAG.test(ref.tag)) ctx.addIssue({ code: "custom", path: ["image"], message: `tag "${ref.tag}" is not a valid tag` });
  if (ref.digest !== undefined && !DIGEST.test(ref.digest))
    ctx.addIssue({ code: "custom", path: ["image"], message: "digest must look like sha256:<64 hex digits>" });
  if (ref.tag !== undefined && body.tag !== undefined && ref.tag !== body.tag) {
    ctx.addIssue({ code: "custom", path: ["tag"], message: `"${body.tag}" contradicts the tag "${ref.tag}" in image` });
  }
  if (ref.digest !== undefined && body.digest !== undefined && ref.digest !== body.digest) {
    ctx.addIssue({ code: "custom", path: ["digest"], message: "contradicts the digest in image" });
  }
  if ((ref.tag ?? body.tag) === undefined && (ref.digest ?? body.digest) === undefined) {
    ctx.addIssue({ code: "custom", path: ["tag"], message: "Required (give tag, digest, or image as name:tag)" });
  }
});

const envelopeSchema = object({
  events: z.array(object({ action: requiredString() }).loose(), { error: (i) => (i.input === undefined ? "Required" : "expected an array") }),
});

const registryPushSchema = object({
  id: optionalString(),
  action: requiredString(),
  target: object({
    mediaType: optionalString(),
    repository: requiredString(),
    digest: z.string({ error: "expected a string" }).regex(DIGEST, "must look like sha256:<64 hex digits>").optional().nullable(),
    tag: optionalString(),
    url: optionalString(),
  }),
  request: z.object({ host: optionalString() }).optional().nullable(),
});

function invalidPayload(what: string, issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): AppError {
  return new AppError("invalid", `Invalid ${what}: ${formatPayloadIssues(issues, prefix)}`);
}

const isManifest = (mediaType: string) => /manifest|image\.index/i.test(mediaType);

function hostOf(event: z.infer<typeof registryPushSchema>): string | null {
  const host = event.request?.host?.trim();
  if (host) return host.toLowerCase();
  if (!event.target.url) return null;
  try {
    return new URL(event.target.url).host.toLowerCase();
  } catch {
    return null;
  }
}

function parseEnvelope(json: unknown): ImagePushParse {
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) throw invalidPayload("registry notification", envelope.error.issues);
  const images = new Map<string, ImagePush>();
  const ignored: string[] = [];
  envelope.data.events.forEach((raw, i) => {
    const where = `events[${i}]`;
    if (raw.action !== "push") {
      const repository = (raw as { target?: { repository?: unknown } }).target?.repository;
      ignored.push(`${where}: ${raw.action}${typeof repository === "string" ? ` of ${repository}` : ""} is not a push`);
      return;
    }
    const parsed = registryPushSchema.safeParse(raw);
    if (!parsed.success) throw invalidPayload("registry notification", parsed.error.issues, ["events", i]);
    const event = parsed.data;
    const mediaType = event.target.mediaType ?? "";
    if (mediaType && !isManifest(mediaType)) {
      ignored.push(`${where}: blob push (${mediaType}) of ${event.target.repository}, not an image manifest`);
      return;
    }
    if (!event.target.tag) {
      ignored.push(`${where}: ${event.target.repository} pushed by digest only (no tag)`);
      return;
    }
    if (!TAG.test(event.target.tag))
      throw new AppError("invalid", `Invalid registry notification: ${where}.target.tag: "${event.target.tag}" is not a valid tag`);
    const host = hostOf(event);
    if (!host) throw new AppError("invalid", `Invalid registry notification: ${where}.request.host: Required (or give target.url)`);
    const image: ImagePush = {
      image: `${host}/${event.target.repository.toLowerCase()}`,
      tag: event.target.tag,
      ...(event.target.digest ? { digest: event.target.digest } : {}),
    };
    images.set(`${image.image}:${image.tag}@${image.digest ?? ""}`, image);
  });
  return { images: [...images.values()], ignored };
}

function parseSimple(json: unknown): ImagePushParse {
  const parsed = simpleSchema.safeParse(json);
  if (!parsed.success) throw invalidPayload("image push notification", parsed.error.issues);
  const ref = splitReference(parsed.data.image);
  const tag = ref.tag ?? parsed.data.tag;
  const digest = ref.digest ?? parsed.data.digest;
  return { images: [{ image: ref.name, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) }], ignored: [] };
}

/**
 * Parses an image-pushed notification. A registry envelope is recognized by its content type
 * (application/vnd.docker.distribution.events.v1+json) or an `events` array; anything else must be
 * `{ image, tag?, digest? }` (image may carry ":tag" / "@digest"). Throws AppError("invalid") naming the field.
 */
export function parseImagePush(json: unknown, contentType?: string | null): ImagePushParse {
  const envelope =
    contentType?.toLowerCase().includes("vnd.docker.distribution.events") ||
    (json !== null && typeof json === "object" && !Array.isArray(json) && "events" in json);
  return envelope ? parseEnvelope(json) : parseSimple(json);
}
