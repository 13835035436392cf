// The per-user change hints (GET /api/live) against real Postgres and its NOTIFY triggers: a
// promotion's update and a new approval reach an open stream within seconds, as ids only; an
// in-app notification is hinted to its own user and nobody else; a stream resumed with
// Last-Event-ID replays what it missed, and an id it cannot resume from gets "resync".
import { beforeAll, describe, expect, it } from "vitest";
import { createSession } from "../../lib/auth/sessions";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";

type Message = { id: string; event: string; data: any };

/** Reads an open SSE response message by message, keeping it open between reads. */
async function streamReader(res: Response | Promise<Response>) {
  const r = await res;
  const s = reader(r);
  // The stream says "ready" once the process listens: changes from then on reach it.
  if (r.status === 200) expect(await s.until((m) => m.event === "ready")).not.toBeNull();
  return s;
}

function reader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const seen: Message[] = [];
  let buffer = "";
  return {
    seen,
    /** Waits for a message matching `until`; returns every message read so far. */
    async until(match: (m: Message) => boolean, timeoutMs = 5_000): Promise<Message | null> {
      const hit = seen.find(match);
      if (hit) return hit;
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now())))]);
        if (!chunk || chunk.done) return null;
        buffer += decoder.decode(chunk.value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split("\n")
              .filter((l) => !l.startsWith(":") && l.includes(": "))
              .map((l) => [l.slice(0, l.indexOf(": ")), l.slice(l.indexOf(": ") + 2)]),
          );
          if (!fields.event) continue;
          const m = { id: fields.id ?? "", event: fields.event, data: JSON.parse(fields.data ?? "null") };
          seen.push(m);
          if (match(m)) return m;
        }
      }
      return null;
    },
    close: () => reader.cancel().catch(() => {}),
  };
}

const open = (cookie: string | undefined, lastEventId?: string) =>
  callRoute({ file: "live", method: "GET", url: `/api/live${lastEventId ? `?lastEventId=${encodeURIComponent(lastEventId)}` : ""}`, cookie });

let appId: string;
let envId: string;
let alice: { id: string; token: string };
let bob: { id: string; token: string };

async function user() {
  const u = await makeUser("viewer");
  return { id: u.id, token: (await createSession(prisma(), u.id, 1)).token };
}

async function makePromotion() {
  return prisma().promotion.create({
    data: {
      applicationId: appId,
      targetEnvironmentId: envId,
      strategy: "images",
      targetBaseRevision: "c".repeat(40),
      previewHash: "d".repeat(64),
      authorName: "tester",
    },
  });
}

async function notify(userId: string) {
  const event = await prisma().notificationEvent.create({ data: { type: "test", title: "Secret-free title" } });
  return prisma().notification.create({ data: { userId, eventId: event.id } });
}

beforeAll(async () => {
  const app = await prisma().application.create({ data: { name: uniqueName("hints").toLowerCase() } });
  const repo = await prisma().repository.create({ data: { name: uniqueName("hints-repo"), url: "https://git.example.com/x.git" } });
  const cluster = await prisma().cluster.create({ data: { name: uniqueName("hints-c").toLowerCase(), server: "https://127.0.0.1:1" } });
  const env = await prisma().environment.create({
    data: {
      applicationId: app.id,
      name: "dev",
      position: 0,
      repositoryId: repo.id,
      branch: "main",
      path: "",
      clusterId: cluster.id,
      namespace: uniqueName("ns").toLowerCase(),
    },
  });
  appId = app.id;
  envId = env.id;
  alice = await user();
  bob = await user();
});

describe("GET /api/live", () => {
  it("refuses a request without a session", async () => {
    const res = await open(undefined);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).not.toContain("text/event-stream");
  });

  it("delivers a promotion's update, an approval and an environment change as id-only hints within seconds", async () => {
    const promotion = await makePromotion();
    const res = await open(alice.token);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const stream = await streamReader(res);
    try {
      const started = Date.now();
      await prisma().promotion.update({ where: { id: promotion.id }, data: { status: "awaiting_approval" } });
      const hint = await stream.until((m) => m.event === "hint" && m.data.topic === "promotion" && m.data.id === promotion.id);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(hint!.data).toEqual({ topic: "promotion", id: promotion.id, applicationId: appId }); // ids only
      const before = stream.seen.length;
      await prisma().approval.create({ data: { promotionId: promotion.id, userId: bob.id, userName: "bob", decision: "approved" } });
      expect(await stream.until((m, i = stream.seen.indexOf(m)) => i >= before && m.data?.id === promotion.id)).not.toBeNull();
      await prisma().environment.update({ where: { id: envId }, data: { autoSync: false } });
      expect((await stream.until((m) => m.data?.topic === "environment"))!.data).toEqual({ topic: "environment", id: envId, applicationId: appId });
    } finally {
      await stream.close();
    }
  });

  it("hints a user's in-app notification to that user only", async () => {
    const a = await streamReader(open(alice.token));
    const b = await streamReader(open(bob.token));
    try {
      await notify(alice.id);
      expect((await a.until((m) => m.data?.topic === "notification"))!.data).toEqual({ topic: "notification" });
      // A later hint everyone may see proves bob's stream is flowing: his notification hint would have come first.
      const marker = await makePromotion();
      expect(await b.until((m) => m.data?.id === marker.id)).not.toBeNull();
      expect(b.seen.filter((m) => m.data?.topic === "notification")).toEqual([]);
      await notify(bob.id);
      expect(await b.until((m) => m.data?.topic === "notification")).not.toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("replays what a stream missed from its Last-Event-ID, and asks for a resync when it cannot", async () => {
    const first = await streamReader(open(alice.token));
    const p1 = await makePromotion();
    const last = await first.until((m) => m.data?.id === p1.id);
    await first.close();
    // While alice is away: two promotions change.
    const p2 = await makePromotion();
    const p3 = await makePromotion();
    // Wait until the process has heard them (a third stream sees p3), then resume.
    const witness = await streamReader(open(bob.token));
    await prisma().promotion.update({ where: { id: p3.id }, data: { status: "approved" } });
    await witness.until((m) => m.data?.id === p3.id);
    await witness.close();
    const resumed = await streamReader(open(alice.token, last!.id));
    try {
      expect(await resumed.until((m) => m.data?.id === p3.id)).not.toBeNull();
      const ids = resumed.seen.filter((m) => m.event === "hint").map((m) => m.data.id);
      expect(ids).toContain(p2.id);
      expect(ids).not.toContain(p1.id);
      expect(ids.indexOf(p2.id)).toBeLessThan(ids.indexOf(p3.id));
    } finally {
      await resumed.close();
    }
    const stale = await streamReader(open(alice.token, "another-process-7"));
    try {
      expect(await stale.until((m) => m.event === "resync")).not.toBeNull();
    } finally {
      await stale.close();
    }
  });
});
