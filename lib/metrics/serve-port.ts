// The worker role's own metrics endpoint (GET /metrics on TIDELINE_METRICS_PORT): a worker has no
// web server, and it holds most counters (reconciles, syncs, fetches, watches). Same authorization as /metrics.
import { createServer, type Server } from "node:http";
import { scrapeResponse, type ScrapeDeps } from "./scrape";

export function serveMetrics(deps: () => ScrapeDeps, port: number, host = "0.0.0.0"): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method !== "GET" || path !== "/metrics") {
        res.writeHead(404, { "Content-Type": "text/plain" }).end("Only GET /metrics is served here\n");
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const answer = await scrapeResponse(deps(), headers);
      res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer()));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
