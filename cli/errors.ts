// Exit codes CI can rely on, and the one error type commands throw to end with one of them.
export const EXIT = {
  ok: 0,
  /** A sync or promotion failed, a wait timed out, the environment is Degraded, or the server/network failed. */
  failed: 1,
  /** Bad arguments or input the server refused (unknown name, 404, 422). */
  usage: 2,
  /** Not logged in, token invalid/expired/revoked (401), or not allowed (403). */
  auth: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
    /** Extra lines printed under the message (field errors, hints). */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }
}

export const usageError = (message: string, details: string[] = []) => new CliError(message, EXIT.usage, details);

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  a sync or promotion failed, a wait timed out, the environment is Degraded,
     or the server could not be reached / answered with an error
  2  usage error: bad arguments, an unknown name, or input the server refused (404, 422)
  3  authentication or permission error: not logged in, token invalid/expired/revoked (401), forbidden (403)`;
