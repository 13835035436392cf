// The glue between commander and a command's body: the merged options (global -o/--context/
// --server and the command's own) and the positional arguments, typed loosely at this one edge.
import type { Command } from "commander";
import type { GlobalOptions } from "./session";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Opts = GlobalOptions & Record<string, any>;

export const act =
  (fn: (opts: Opts, ...positional: string[]) => Promise<void> | void) =>
  async (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const positional = args.slice(0, cmd.registeredArguments.length) as string[];
    await fn(cmd.optsWithGlobals() as Opts, ...positional);
  };

/** "a,b , c" -> ["a", "b", "c"] */
export const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
];
