// A real container registry (Debian's docker-registry, Distribution 2.8) for tests and benches, with no auth,
// htpasswd Basic auth or JWT token auth (an in-process token server), plus pushing real images over the API.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, createPrivateKey, randomBytes, sign, X509Certificate, type KeyObject } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import YAML from "yaml";

export type RegistryAuth = "none" | "basic" | "token";

export interface RegistryOptions {
  auth?: RegistryAuth;
  port?: number; // 0 (default) picks a free port
  credentials?: { username: string; password: string }; // basic/token; random when omitted
  notifyUrl?: string; // the registry POSTs its events (push, pull, delete) here
  notifyHeaders?: Record<string, string>;
  tokenExpiresInSeconds?: number; // token mode: lifetime of issued tokens, default 300
  binary?: string; // default $DOCKER_REGISTRY_BIN or /usr/bin/docker-registry
}

export interface PushOptions {
  format?: "oci" | "docker"; // manifest media types, default oci
  content?: string; // the one file in the layer; default differs per repo:tag so digests differ
}

export interface TestRegistry {
  url: string; // http://127.0.0.1:PORT
  host: string; // 127.0.0.1:PORT, the image prefix ("127.0.0.1:PORT/team/app")
  auth: RegistryAuth;
  credentials?: { username: string; password: string };
  pid: number | undefined;
  tokenRequests(): number; // token mode: requests the token server has answered
  logs(): string; // the registry's recent log lines, for failing tests
  pushImage(repo: string, tag: string, opts?: PushOptions): Promise<string>; // manifest digest
  deleteTag(repo: string, tag: string): Promise<void>; // deletes the tag's manifest (and every tag on it)
  stop(): Promise<void>;
}

const SERVICE = "tideline-test-registry";
const ISSUER = "tideline-test-token-issuer";

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const binary = opts.binary ?? process.env.DOCKER_REGISTRY_BIN ?? "/usr/bin/docker-registry";
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run 'bash scripts/ensure-registry.sh' (installs Debian's docker-registry)`);
  const auth = opts.auth ?? "none";
  const dir = mkdtempSync(path.join(os.tmpdir(), "tideline-registry-"));
  const credentials = auth === "none" ? undefined : (opts.credentials ?? { username: "tideline", password: randomBytes(12).toString("hex") });
  let tokens: TokenServer | undefined;
  let child: ChildProcess | undefined;
  const log: string[] = [];
  const killOnExit = () => child?.kill("SIGKILL");
  try {
    const config: Record<string, unknown> = {
      version: 0.1,
      log: { level: "info", accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: path.join(dir, "data") }, delete: { enabled: true }, maintenance: { uploadpurging: { enabled: false } } },
      http: { addr: "", secret: randomBytes(16).toString("hex") },
    };
    if (auth === "basic") {
      writeFileSync(path.join(dir, "htpasswd"), `${credentials!.username}:${bcryptHash(credentials!.password)}\n`, { mode: 0o600 });
      config.auth = { htpasswd: { realm: SERVICE, path: path.join(dir, "htpasswd") } };
    }
    if (auth === "token") {
      tokens = await startTokenServer(dir, credentials!, opts.tokenExpiresInSeconds ?? 300);
      config.auth = { token: { realm: `${tokens.url}/token`, service: SERVICE, issuer: ISSUER, rootcertbundle: tokens.certPath } };
    }
    if (opts.notifyUrl) {
      const headers = Object.fromEntries(Object.entries(opts.notifyHeaders ?? {}).map(([k, v]) => [k, [v]]));
      config.notifications = { endpoints: [{ name: "tideline", url: opts.notifyUrl, headers, timeout: "2s", threshold: 3, backoff: "1s" }] };
    }
    // A free port can be taken between probing and binding: try a few times.
    for (let attempt = 1; ; attempt++) {
      const port = opts.port || (await freePort());
      (config.http as { addr: string }).addr = `127.0.0.1:${port}`;
      writeFileSync(path.join(dir, "config.yml"), YAML.stringify(config));
      log.length = 0;
      child = spawn(binary, ["serve", path.join(dir, "config.yml")], { stdio: ["ignore", "pipe", "pipe"] });
      process.once("exit", killOnExit);
      const keep = (chunk: Buffer) => {
        log.push(...chunk.toString().split("\n").filter(Boolean));
        if (log.length > 200) log.splice(0, log.length - 200);
      };
      child.stdout!.on("data", keep);
      child.stderr!.on("data", keep);
      const ready = await waitReady(child, `http://127.0.0.1:${port}`);
      if (ready) {
        const url = `http://127.0.0.1:${port}`;
        const current = child;
        const authHeader = async (repo: string) =>
          auth === "basic"
            ? basicHeader(credentials!)
            : auth === "token"
              ? `Bearer ${tokens!.mint(credentials!.username, [`repository:${repo}:pull,push,delete`])}`
              : undefined;
        let stopped = false;
        return {
          url,
          host: `127.0.0.1:${port}`,
          auth,
          credentials,
          pid: current.pid,
          tokenRequests: () => tokens?.requests ?? 0,
          logs: () => log.join("\n"),
          pushImage: async (repo, tag, pushOpts = {}) => pushImage(url, repo, tag, await authHeader(repo), pushOpts),
          deleteTag: async (repo, tag) => deleteTag(url, repo, tag, await authHeader(repo)),
          async stop() {
            if (stopped) return;
            stopped = true;
            process.off("exit", killOnExit);
            await stopChild(current);
            await tokens?.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      }
      process.off("exit", killOnExit);
      await stopChild(child);
      const busy = log.some((l) => l.includes("address already in use"));
      if (!busy || opts.port || attempt >= 3) throw new Error(`docker-registry did not start:\n${log.slice(-20).join("\n")}`);
    }
  } catch (error) {
    if (child) await stopChild(child);
    await tokens?.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls GET /v2/ until the registry answers (200, or 401 with auth) or the process dies. */
async function waitReady(child: ChildProcess, url: string): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    const status = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) }).then(
      async (r) => (await r.body?.cancel(), r.status),
      () => 0,
    );
    if (status === 200 || status === 401) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** A bcrypt htpasswd hash (the only kind Distribution accepts): glibc's crypt via perl (always on Debian), else htpasswd. */
function bcryptHash(password: string): string {
  const alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = randomBytes(22);
  // 22 salt characters carry 128 bits: the last one must leave its low 4 bits zero.
  const salt = [...bytes.subarray(0, 21)].map((b) => alphabet[b % 64]).join("") + ".Oeu"[bytes[21]! % 4];
  const perl = spawnSync("perl", ["-e", "print crypt($ENV{PW}, $ENV{SALT})"], {
    env: { ...process.env, PW: password, SALT: `$2b$05$${salt}` },
    encoding: "utf8",
  });
  if (perl.status === 0 && /^\$2[aby]\$05\$[./A-Za-z0-9]{53}$/.test(perl.stdout)) return perl.stdout;
  const htpasswd = spawnSync("htpasswd", ["-niB", "-C", "5", "user"], { input: `${password}\n`, encoding: "utf8" });
  const hash = htpasswd.status === 0 ? htpasswd.stdout.trim().split(":")[1] : undefined;
  if (hash?.startsWith("$2")) return hash;
  throw new Error("Cannot make a bcrypt hash: neither perl's crypt() nor htpasswd (apache2-utils) produced one");
}

const basicHeader = (c: { username: string; password: string }) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;

// ------------------------------------------------------------------ token server

interface TokenServer {
  url: string;
  certPath: string;
  requests: number;
  mint(subject: string, scopes: string[]): string;
  close(): Promise<void>;
}

/** Issues registry JWTs (ES256) signed by a self-signed cert that is the registry's rootcertbundle.
 *  The header carries the cert as `x5c` (checked against the bundle) and its libtrust key id as `kid`. */
async function startTokenServer(dir: string, creds: { username: string; password: string }, expiresIn: number): Promise<TokenServer> {
  const keyPath = path.join(dir, "token.key");
  const certPath = path.join(dir, "token.crt");
  const openssl = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "2",
      "-subj",
      `/CN=${ISSUER}`,
    ],
    { encoding: "utf8" },
  );
  if (openssl.status !== 0) throw new Error(`openssl could not make the token signing certificate: ${openssl.stderr || openssl.error?.message}`);
  const key = createPrivateKey(readFileSync(keyPath));
  const cert = new X509Certificate(readFileSync(certPath));
  const header = { typ: "JWT", alg: "ES256", x5c: [cert.raw.toString("base64")], kid: libtrustKeyId(cert.publicKey) };
  const mint = (subject: string, scopes: string[]) => signJwt(key, header, claims(subject, scopes, expiresIn));

  const state = { requests: 0 };
  const server = http.createServer((req, res) => {
    state.requests++;
    const url = new URL(req.url ?? "/", "http://localhost");
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== "/token") return reply(404, { errors: [{ code: "NOT_FOUND" }] });
    const given = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    let subject = "";
    if (given) {
      const [user, ...rest] = Buffer.from(given[1]!, "base64").toString().split(":");
      if (user !== creds.username || rest.join(":") !== creds.password)
        return reply(401, { errors: [{ code: "UNAUTHORIZED", message: "wrong username or password" }] });
      subject = user;
    }
    // Anonymous callers get a token with no access, so the registry answers 401 insufficient_scope.
    const token = mint(subject, subject ? url.searchParams.getAll("scope") : []);
    reply(200, { token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    certPath,
    get requests() {
      return state.requests;
    },
    mint,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function claims(subject: string, scopes: string[], expiresIn: number) {
  const now = Math.floor(Date.now() / 1000);
  const access = scopes.flatMap((scope) => {
    const m = /^([a-z]+):(.+):([a-z*,]+)$/.exec(scope);
    return m ? [{ type: m[1], name: m[2], actions: m[3]!.split(",") }] : [];
  });
  return { iss: ISSUER, sub: subject, aud: SERVICE, iat: now, nbf: now - 5, exp: now + expiresIn, jti: randomBytes(8).toString("hex"), access };
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

function signJwt(key: KeyObject, header: object, payload: object): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  // JWS wants ECDSA signatures as raw r||s, not DER.
  const signature = sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
  return `${input}.${b64url(signature)}`;
}

/** libtrust's key id: SHA-256 of the DER public key, first 240 bits, base32, in 12 groups of 4. */
function libtrustKeyId(publicKey: KeyObject): string {
  const digest = createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest()
    .subarray(0, 30);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const byte of digest) bits += byte.toString(2).padStart(8, "0");
  const b32 = bits
    .match(/.{5}/g)!
    .map((chunk) => alphabet[Number.parseInt(chunk, 2)])
    .join("");
  return b32.match(/.{4}/g)!.join(":");
}

// ------------------------------------------------------------------ pushing images

const MEDIA = {
  oci: {
    manifest: "application/vnd.oci.image.manifest.v1+json",
    config: "application/vnd.oci.image.config.v1+json",
    layer: "application/vnd.oci.image.layer.v1.tar+gzip",
  },
  docker: {
    manifest: "application/vnd.docker.distribution.manifest.v2+json",
    config: "application/vnd.docker.container.image.v1+json",
    layer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  },
};

const sha256 = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** Pushes a one-layer image: config and layer blobs (monolithic POST + PUT), then the manifest. */
async function pushImage(url: string, repo: string, tag: string, authorization: string | undefined, opts: PushOptions): Promise<string> {
  const media = MEDIA[opts.format ?? "oci"];
  const headers = (extra: Record<string, string> = {}) => (authorization ? { ...extra, Authorization: authorization } : extra);
  const tar = tarFile("tideline.txt", Buffer.from(opts.content ?? `${repo}:${tag}\n`));
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      created: "2026-01-01T00:00:00Z",
      config: { Labels: { "org.opencontainers.image.title": `${repo}:${tag}` } },
      rootfs: { type: "layers", diff_ids: [sha256(tar)] },
      history: [{ created: "2026-01-01T00:00:00Z", created_by: "tideline test registry" }],
    }),
  );
  for (const blob of [config, layer]) await uploadBlob(url, repo, blob, headers);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: media.manifest,
      config: { mediaType: media.config, digest: sha256(config), size: config.length },
      layers: [{ mediaType: media.layer, digest: sha256(layer), size: layer.length }],
    }),
  );
  const res = await fetch(`${url}/v2/${repo}/manifests/${tag}`, { method: "PUT", headers: headers({ "Content-Type": media.manifest }), body: manifest });
  if (res.status !== 201) throw new Error(`PUT manifest ${repo}:${tag} answered ${res.status}: ${await res.text()}`);
  await res.body?.cancel();
  const digest = res.headers.get("docker-content-digest") ?? sha256(manifest);
  if (digest !== sha256(manifest)) throw new Error(`registry digest ${digest} differs from the manifest's ${sha256(manifest)}`);
  return digest;
}

async function uploadBlob(
  url: string,
  repo: string,
  blob: Buffer<ArrayBuffer>,
  headers: (extra?: Record<string, string>) => Record<string, string>,
): Promise<void> {
  const digest = sha256(blob);
  const head = await fetch(`${url}/v2/${repo}/blobs/${digest}`, { method: "HEAD", headers: headers() });
  if (head.status === 200) return;
  const start = await fetch(`${url}/v2/${repo}/blobs/uploads/`, { method: "POST", headers: headers({ "Content-Length": "0" }) });
  await start.body?.cancel();
  const location = start.headers.get("location");
  if (start.status !== 202 || !location) throw new Error(`starting a blob upload to ${repo} answered ${start.status}`);
  const target = new URL(location, url);
  target.searchParams.set("digest", digest);
  const put = await fetch(target, { method: "PUT", headers: headers({ "Content-Type": "application/octet-stream" }), body: blob });
  if (put.status !== 201) throw new Error(`uploading blob ${digest} to ${repo} answered ${put.status}: ${await put.text()}`);
  await put.body?.cancel();
}

async function deleteTag(url: string, repo: string, tag: string, authorization: string | undefined): Promise<void> {
  const auth: Record<string, string> = authorization ? { Authorization: authorization } : {};
  const accept = [MEDIA.oci.manifest, MEDIA.docker.manifest].join(", ");
  const head = await fetch(`${url}/v2/${repo}/manifests/${tag}`, { method: "HEAD", headers: { ...auth, Accept: accept } });
  const digest = head.headers.get("docker-content-digest");
  if (head.status !== 200 || !digest) throw new Error(`tag ${repo}:${tag} not found (${head.status})`);
  // Distribution 2.8 deletes manifests by digest only; the tags pointing at it go with it.
  const res = await fetch(`${url}/v2/${repo}/manifests/${digest}`, { method: "DELETE", headers: auth });
  await res.body?.cancel();
  if (res.status !== 202) throw new Error(`DELETE manifest ${repo}@${digest} answered ${res.status}`);
}

/** A ustar archive holding one regular file. */
function tarFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => header.write(text, offset, length, "ascii");
  put(name, 0, 100);
  put("0000644\0", 100, 8);
  put("0000000\0", 108, 8);
  put("0000000\0", 116, 8);
  put(`${content.length.toString(8).padStart(11, "0")}\0`, 124, 12);
  put(
    `${Math.floor(Date.UTC(2026, 0, 1) / 1000)
      .toString(8)
      .padStart(11, "0")}\0`,
    136,
    12,
  );
  put("        ", 148, 8);
  put("0", 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}
