// Starts this process's share of the background work. In the "all" role (the default, and the
// demo) the Next server also works on jobs; "web" only serves pages and the API and enqueues;
// "worker" processes run server/worker-main.ts instead of Next.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("./lib/env");
  if (env().TIDELINE_ROLE === "web") return;
  const { startWorker, stopWorker } = await import("./server/worker");
  await startWorker();
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void stopWorker().finally(() => process.exit(0)));
}
