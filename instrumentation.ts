// Starts background work (periodic repository fetch) once per server process.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startPeriodicFetch } = await import("./lib/repositories/background");
  startPeriodicFetch();
}
