// A fleet announces many changes a second: the page's live hints must coalesce them into one
// refetch per query per second, not one per hint.
import { QueryClient } from "@tanstack/react-query";
import { afterEach, expect, it, vi } from "vitest";
import { coalescingInvalidator, keysOf } from "../../components/live/use-live-hints";

afterEach(() => vi.useRealTimers());

it("invalidates each affected query once per interval, however many hints arrive", async () => {
  vi.useFakeTimers();
  const client = new QueryClient();
  const invalidated: string[] = [];
  vi.spyOn(client, "invalidateQueries").mockImplementation(async (filters) => {
    invalidated.push(JSON.stringify(filters?.queryKey));
  });
  const stale = coalescingInvalidator(client, 1_000);
  for (let i = 0; i < 200; i++) stale.add(keysOf({ topic: "environment", id: `env-${i}`, applicationId: i % 2 ? "app-a" : "app-b" }));
  expect(invalidated).toEqual([]);
  await vi.advanceTimersByTimeAsync(1_000);
  expect(invalidated.sort()).toEqual(
    ['["application","app-a"]', '["application","app-b"]', '["overview"]', '["pipeline","app-a"]', '["pipeline","app-b"]'].sort(),
  );
  // The next burst is a new round; a promotion also refreshes its page and the inbox.
  invalidated.length = 0;
  stale.add(keysOf({ topic: "promotion", id: "p1", applicationId: "app-a" }));
  stale.add(keysOf({ topic: "notification" }));
  await vi.advanceTimersByTimeAsync(1_000);
  expect(invalidated).toEqual(expect.arrayContaining(['["promotion","p1"]', '["promotion-inbox"]', '["notifications"]', '["overview"]']));
  stale.cancel();
});
