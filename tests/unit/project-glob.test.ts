// Project rule globs (lib/projects/glob.ts): what a platform admin writes must match the folders and
// namespaces they mean, and nothing beside them.
import { expect, it } from "vitest";
import { globMatch } from "../../lib/projects/glob";

it("'*' stays within one path segment, '**' crosses them, '?' is one character", () => {
  expect(globMatch("payments-*", "payments-prod")).toBe(true);
  expect(globMatch("payments-*", "payments-prod/x")).toBe(false);
  expect(globMatch("apps/**", "apps/web/overlays/prod")).toBe(true);
  expect(globMatch("team-?", "team-a")).toBe(true);
  expect(globMatch("team-?", "team-ab")).toBe(false);
  expect(globMatch("a.b", "axb")).toBe(false); // regex characters are literal
});

it("a trailing '/**' matches the folder itself as well as everything under it", () => {
  expect(globMatch("envs/shop-*/**", "envs/shop-dev")).toBe(true);
  expect(globMatch("envs/shop-*/**", "envs/shop-dev/overlays")).toBe(true);
  expect(globMatch("envs/shop-*/**", "envs/shop-devx")).toBe(true); // the '*' segment, as written
  expect(globMatch("envs/shop-*/**", "envs/other-dev")).toBe(false);
  expect(globMatch("envs/shop/**", "envs/shopping")).toBe(false);
  expect(globMatch("apps/**/base", "apps/base")).toBe(true);
  expect(globMatch("apps/**/base", "apps/web/base")).toBe(true);
});
