// The ids a log line is about (request, job, environment, ...), carried through async code with
// AsyncLocalStorage so nested code logs them without passing a logger around.
import { AsyncLocalStorage } from "node:async_hooks";

export interface LogBindings {
  requestId?: string;
  method?: string;
  route?: string;
  jobId?: string;
  queue?: string;
  environmentId?: string;
  repositoryId?: string;
  clusterId?: string;
  promotionId?: string;
  policyId?: string;
  [key: string]: string | number | undefined;
}

const storage = new AsyncLocalStorage<LogBindings>();

/** Runs `fn` with `bindings` added to every log line written inside it (nested scopes add to the outer ones). */
export function withLogContext<T>(bindings: LogBindings, fn: () => T): T {
  const outer = storage.getStore();
  return storage.run(outer ? { ...outer, ...bindings } : bindings, fn);
}

/** The ids of the current request or job ({} outside any). */
export const logContext = (): LogBindings => storage.getStore() ?? {};
