// Tideline's one logger (pino): JSON lines on stdout, or pretty lines for people (dev, the demo).
// Every line carries the ids of the request or job it happened in (context.ts) and never a credential.
import pino, { type DestinationStream, type Level, type Logger } from "pino";
import { prettyFactory } from "pino-pretty";
import { logContext } from "./context";
import { MASK, maskText, maskValue, serializeError } from "./mask";

export type { Logger } from "pino";
export type LogLevel = Level | "silent";

const LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Field names pino censors wherever they appear up to three levels deep (the masking below covers deeper and odd-cased ones). */
const SECRET_FIELDS = [
  "password",
  "passwd",
  "newPassword",
  "currentPassword",
  "token",
  "accessToken",
  "refreshToken",
  "idToken",
  "sessionToken",
  "apiToken",
  "secret",
  "webhookSecret",
  "clientSecret",
  "client_secret",
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  "set-cookie",
  "kubeconfig",
  "privateKey",
  "private_key",
  "apiKey",
  "credentials",
  "client-key-data",
  "client-certificate-data",
  "stringData",
];
const key = (name: string) => (/^[A-Za-z_]\w*$/.test(name) ? `.${name}` : `["${name}"]`);
export const REDACT_PATHS = SECRET_FIELDS.flatMap((f) => [key(f).replace(/^\./, ""), `*${key(f)}`, `*.*${key(f)}`]);

/** TIDELINE_LOG_LEVEL (default info); an unknown value falls back to info and says so once. */
function configuredLevel(): LogLevel {
  const raw = process.env.TIDELINE_LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return "info";
  if ((LEVELS as readonly string[]).includes(raw)) return raw as LogLevel;
  process.stderr.write(`TIDELINE_LOG_LEVEL=${raw} is not one of ${LEVELS.join(", ")}; logging at info\n`);
  return "info";
}

/** TIDELINE_LOG_FORMAT json|pretty; by default pretty under `next dev`, JSON everywhere else. */
const pretty = () => (process.env.TIDELINE_LOG_FORMAT ?? (process.env.NODE_ENV === "development" ? "pretty" : "json")) === "pretty";

// Where lines go: stdout, unless a test or an embedding process captures them (setLogDestination).
let target: DestinationStream | null = null;
let prettify: ((line: string) => string) | undefined;
const destination: DestinationStream = {
  write(line: string) {
    if (target) return target.write(line);
    if (pretty()) {
      prettify ??= prettyFactory({ colorize: process.stdout.isTTY ?? false, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" });
      return process.stdout.write(prettify(line));
    }
    return process.stdout.write(line);
  },
};

let root: Logger | undefined;
const children = new Set<Logger>();

function rootLogger(): Logger {
  root ??= pino(
    {
      level: configuredLevel(),
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: MASK },
      serializers: { err: serializeError, error: serializeError },
      // The request/job ids of the current async context go on every line.
      // A copy: pino merges the line into what mixin returns, and the context must not collect fields.
      mixin: () => ({ ...logContext() }),
      formatters: { log: (object) => maskValue(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === "string" ? maskText(a) : a)) as Parameters<typeof method>;
          return method.apply(this, masked);
        },
      },
    },
    destination,
  );
  return root;
}

/** A logger for one part of Tideline (`component` on every line): made once per module, `const log = logger("jobs")`. */
export function logger(component: string): Logger {
  const child = rootLogger().child({ component });
  children.add(child);
  return child;
}

/** Changes the level of every logger (tests raise it to debug to see everything, or lower it to warn). */
export function setLogLevel(level: LogLevel): void {
  rootLogger().level = level;
  for (const child of children) child.level = level;
}

/** Sends every line to `stream` instead of stdout (null: back to stdout); lines are JSON, one per write. */
export function setLogDestination(stream: DestinationStream | null): void {
  target = stream;
}
