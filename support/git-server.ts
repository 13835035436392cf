// Git smart-HTTP server for tests and local demos: a tiny Node http server that
// runs the real `git http-backend` as a CGI per request, so clients talk to genuine Git.
import { spawn, type ChildProcess } from "node:child_process";
import { timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export interface GitServer {
  url: string; // e.g. http://127.0.0.1:PORT
  root: string;
  stop(): Promise<void>;
}

export interface GitServerOptions {
  root: string;
  port?: number; // 0 (default) picks a free port
  host?: string; // default 127.0.0.1
  auth?: { username: string; password: string };
}

export async function startGitServer(opts: GitServerOptions): Promise<GitServer> {
  const root = path.resolve(opts.root);
  const host = opts.host ?? "127.0.0.1";
  const children = new Set<ChildProcess>();

  const server = http.createServer((req, res) => {
    // Client disconnects surface as stream errors; they must never crash the process.
    req.on("error", () => {});
    res.on("error", () => {});
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const pathInfo = decodeSafePath(q === -1 ? rawUrl : rawUrl.slice(0, q));
    if (pathInfo === null) return sendText(res, 400, "Bad Request");
    if (opts.auth && !checkBasicAuth(req.headers.authorization, opts.auth)) {
      res.setHeader("WWW-Authenticate", 'Basic realm="git"');
      return sendText(res, 401, "Unauthorized");
    }
    const h = (name: string) => req.headers[name] as string | undefined;
    const env: Record<string, string | undefined> = {
      // A minimal env: inherited GIT_DIR & co. (e.g. from a git hook) would confuse the backend.
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: "1",
      // http-backend only enables receive-pack when REMOTE_USER is set, so pushes work
      // for every served repo, not just those with http.receivepack=true.
      REMOTE_USER: opts.auth?.username ?? "anonymous",
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
      GATEWAY_INTERFACE: "CGI/1.1",
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: pathInfo,
      QUERY_STRING: q === -1 ? "" : rawUrl.slice(q + 1),
      CONTENT_TYPE: h("content-type") ?? "",
    };
    // Chunked uploads (large pushes) have no length; the backend then reads until EOF.
    if (h("content-length") !== undefined) env.CONTENT_LENGTH = h("content-length");
    if (h("content-encoding")) env.HTTP_CONTENT_ENCODING = h("content-encoding");
    if (h("git-protocol")) env.GIT_PROTOCOL = h("git-protocol");

    const child = spawn("git", ["http-backend"], { env: env as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
    children.add(child);
    child.on("close", () => children.delete(child));
    child.on("error", () => sendText(res, 500, "git http-backend failed to start"));
    // The backend may exit without reading the body (e.g. 404): ignore EPIPE.
    child.stdin.on("error", () => {});
    child.stderr.resume();
    req.pipe(child.stdin);
    res.on("close", () => {
      if (!res.writableFinished) child.kill("SIGKILL");
    });
    streamCgiResponse(child, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url,
    root,
    async stop() {
      for (const child of children) child.kill("SIGKILL");
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Decodes the URL path, or returns null if any segment could escape the project root. */
function decodeSafePath(rawPath: string): string | null {
  const segments: string[] = [];
  for (const raw of rawPath.split("/")) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (seg === ".." || seg.includes("/") || seg.includes("\\") || seg.includes("\0")) return null;
    segments.push(seg);
  }
  return segments.join("/");
}

function checkBasicAuth(header: string | undefined, auth: { username: string; password: string }): boolean {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1]!, "base64");
  const expected = Buffer.from(`${auth.username}:${auth.password}`);
  // Constant-time compare so the password can't be guessed byte by byte from timings.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Parses the CGI header block from stdout, then streams the rest as the body. */
function streamCgiResponse(child: ChildProcess, res: http.ServerResponse): void {
  const stdout = child.stdout!;
  let head = Buffer.alloc(0);
  let headersDone = false;
  const write = (chunk: Buffer) => {
    // Respect backpressure so a slow client doesn't buffer whole packfiles in memory.
    if (!res.write(chunk)) {
      stdout.pause();
      res.once("drain", () => stdout.resume());
    }
  };
  stdout.on("data", (chunk: Buffer) => {
    if (headersDone) return write(chunk);
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf("\r\n\r\n");
    const lf = head.indexOf("\n\n");
    const [end, sepLen] = crlf !== -1 && (lf === -1 || crlf < lf) ? [crlf, 4] : [lf, 2];
    if (end === -1) return;
    headersDone = true;
    let status = 200;
    let statusText: string | undefined;
    const headers: Record<string, string | string[]> = {};
    for (const line of head.subarray(0, end).toString("latin1").split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") {
        status = Number.parseInt(value, 10) || 500;
        statusText = value.replace(/^\d+\s*/, "") || undefined;
      } else {
        const prev = headers[name];
        headers[name] = prev === undefined ? value : [prev, value].flat();
      }
    }
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, statusText, headers);
    const rest = head.subarray(end + sepLen);
    if (rest.length > 0) write(rest);
  });
  stdout.on("end", () => {
    if (!headersDone) sendText(res, 502, "git http-backend produced no response");
    else res.end();
  });
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(`${text}\n`);
}
