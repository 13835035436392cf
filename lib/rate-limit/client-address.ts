// Which client a request comes from, for per-address limits. Route handlers only see headers, and
// X-Forwarded-For is whatever the client sent (Next.js fills it from the socket only when absent), so
// Tideline stamps the TCP peer address onto every request itself (a header carrying a per-process
// nonce, overwritten on arrival, so no client can forge it). X-Forwarded-For is read only when the
// operator names the proxies in front of Tideline in TIDELINE_TRUSTED_PROXIES.
import http from "node:http";
import https from "node:https";
import { randomBytes } from "node:crypto";
import { BlockList, isIP } from "node:net";

export const PEER_HEADER = "x-tideline-peer";
/** The bucket of requests whose peer is not known (the stamp was not installed yet). */
export const UNKNOWN_ADDRESS = "unknown";

type StampState = { nonce: string; installed: boolean };
const g = globalThis as unknown as { tidelinePeerStamp?: StampState };
const stamp = (): StampState => (g.tidelinePeerStamp ??= { nonce: randomBytes(16).toString("hex"), installed: false });

/** Sets the peer header of a request (replacing anything the client sent under that name). */
export function stampPeer(headers: Record<string, string | string[] | undefined> | Headers, address: string): void {
  const value = `${stamp().nonce} ${address}`;
  if (headers instanceof Headers) headers.set(PEER_HEADER, value);
  else headers[PEER_HEADER] = value;
}

/**
 * Stamps the socket's address on every request this process's HTTP(S) servers receive, before any
 * listener (Next.js) sees it. Idempotent; called when this module loads and from instrumentation.
 */
export function installPeerStamp(): void {
  const state = stamp();
  if (state.installed) return;
  state.installed = true;
  for (const Server of [http.Server, https.Server]) {
    const emit = Server.prototype.emit;
    Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
      if (event === "request") {
        const req = args[0] as http.IncomingMessage;
        stampPeer(req.headers, req.socket?.remoteAddress ?? UNKNOWN_ADDRESS);
      }
      return Reflect.apply(emit, this, [event, ...args]) as boolean;
    } as typeof emit;
  }
}
installPeerStamp();

/** The stamped TCP peer, or null when the header is missing or was not set by this process. */
function peerOf(headers: Headers): string | null {
  const [nonce, address] = (headers.get(PEER_HEADER) ?? "").split(" ");
  return nonce === stamp().nonce && address ? address : null;
}

const unmapped = (ip: string) => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip) ? ip.slice(7) : ip);

/** Parses TIDELINE_TRUSTED_PROXIES: comma-separated addresses or CIDR ranges (10.0.0.0/8, fd00::/8). */
export function parseTrustedProxies(text: string | undefined): BlockList | null {
  const entries = (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [ip, bits] = entry.split("/") as [string, string | undefined];
    const family = isIP(ip);
    if (!family) throw new Error(`TIDELINE_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(ip, type);
    else {
      const prefix = Number(bits);
      if (!/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) throw new Error(`TIDELINE_TRUSTED_PROXIES: "${entry}" has an invalid prefix length`);
      list.addSubnet(ip, prefix, type);
    }
  }
  return list;
}

const trusts = (list: BlockList, ip: string) => {
  const family = isIP(ip);
  return family !== 0 && list.check(ip, family === 4 ? "ipv4" : "ipv6");
};

/**
 * The client address of a request: the TCP peer; or, when the peer is one of the trusted proxies,
 * the right-most X-Forwarded-For entry that is not a trusted proxy (entries further left were
 * written by the client and are ignored).
 */
export function clientAddress(headers: Headers, trusted: BlockList | null): string {
  const peer = peerOf(headers);
  const direct = peer ? unmapped(peer) : null;
  if (!trusted || (direct && !trusts(trusted, direct))) return direct ?? UNKNOWN_ADDRESS;
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => unmapped(s.trim()))
    .filter(Boolean);
  for (let i = forwarded.length - 1; i >= 0; i--) {
    const hop = forwarded[i]!;
    if (!isIP(hop)) break; // garbage: stop walking, trust nothing further left
    if (!trusts(trusted, hop)) return hop;
  }
  return direct ?? UNKNOWN_ADDRESS;
}

/** The key an address is counted under: IPv6 by its /64 (one host usually holds a whole /64). */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head, tail = ""] = address.toLowerCase().split("::") as [string, string?];
  const left = head ? head.split(":") : [];
  const right = address.includes("::") && tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((x) => x.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
