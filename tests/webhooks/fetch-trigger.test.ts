// The webhook's background fetch: retried while another fetch holds the lease, and pushes that
// arrive during a fetch are coalesced into one more fetch rather than dropped or piled up.
import { describe, expect, it } from "vitest";
import { fetchSoon } from "../../lib/webhooks/fetch-trigger";
import type { FetchOutcome } from "../../lib/repositories/fetch-repository";
import { eventually } from "../helpers/testbed";

const fetched = { status: "fetched", index: {}, durationMs: 1 } as unknown as FetchOutcome;
const skipped: FetchOutcome = { status: "skipped", reason: "A fetch of this repository is already running" };

describe("fetchSoon", () => {
  it("retries a fetch skipped because another one holds the lease", async () => {
    const outcomes = [skipped, skipped, fetched];
    let calls = 0;
    fetchSoon("repo-retry", async () => outcomes[calls++] ?? fetched);
    expect(await eventually(() => calls, (n) => n === 3, 5000)).toBe(3);
    await new Promise((r) => setTimeout(r, 700));
    expect(calls).toBe(3);
  });

  it("coalesces pushes that arrive during a fetch into one more fetch", async () => {
    let calls = 0;
    let release!: () => void;
    const fetcher = async () => {
      calls += 1;
      if (calls === 1) await new Promise<void>((r) => (release = r));
      return fetched;
    };
    fetchSoon("repo-burst", fetcher);
    await eventually(() => calls, (n) => n === 1);
    for (let i = 0; i < 5; i += 1) fetchSoon("repo-burst", fetcher);
    release();
    expect(await eventually(() => calls, (n) => n === 2)).toBe(2);
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(2);
  });
});
