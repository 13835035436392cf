// Tag policies choose the newest allowed tag: semver ranges (v prefix, prereleases), regex filter + extract
// with numeric/alphabetical order, integer tags; odd tags are skipped with reasons, bad policies are "invalid".
import { describe, expect, it } from "vitest";
import { AppError } from "../../lib/errors";
import { compareTags, isDowngrade, selectTag, tagPolicySchema, type TagPolicyInput } from "../../lib/images/tag-policy";

const reasonOf = (result: ReturnType<typeof selectTag>, tag: string) => result.skipped.find((s) => s.tag === tag)?.reason;

function invalidError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("invalid");
    return error as AppError;
  }
  throw new Error("expected an AppError");
}

describe("semver policy", () => {
  const tags = ["v1.2.0", "1.3.0", "v1.10.0", "1.9.9", "2.0.0", "1.11.0-rc.1", "latest", "1.4", "main-abc", "1.1.9"];

  it("picks the highest version inside the range, with or without a leading v", () => {
    const result = selectTag(tags, { type: "semver", range: ">=1.2.0 <2" });
    expect(result.tag).toBe("v1.10.0");
    expect(result.considered).toBe(4); // v1.2.0, 1.3.0, v1.10.0, 1.9.9
    expect(reasonOf(result, "latest")).toMatch(/not a semantic version/);
    expect(reasonOf(result, "1.4")).toMatch(/not a semantic version/);
    expect(reasonOf(result, "2.0.0")).toMatch(/outside the range ">=1.2.0 <2"/);
    expect(reasonOf(result, "1.1.9")).toMatch(/outside the range/);
    expect(reasonOf(result, "1.11.0-rc.1")).toMatch(/prerelease 1\.11\.0-rc\.1 is left out/);
    expect(result.skipped).toHaveLength(tags.length - 4);
  });

  it.each([
    ["^1.4", ["1.3.9", "1.4.0", "1.4.7", "1.9.2", "2.0.0"], "1.9.2"],
    ["~2.0", ["2.0.1", "v2.0.5", "2.1.0", "1.9.0"], "v2.0.5"],
    ["1.x", ["1.0.0", "1.7.3", "2.0.0", "0.9.0"], "1.7.3"],
    ["*", ["0.1.0", "3.2.1", "3.3.0-beta.1", "nightly"], "3.2.1"],
    [">=1.0.0 <1.0.0", ["1.0.0"], null],
  ])("range %s picks %s", (range, list, expected) => {
    expect(selectTag(list, { type: "semver", range }).tag).toBe(expected);
  });

  it("considers prereleases only when the range names one", () => {
    const list = ["1.9.0", "2.0.0-rc.1", "2.0.0-rc.2", "2.0.0-rc.10", "2.1.0-beta.1"];
    expect(selectTag(list, { type: "semver", range: ">=1.0.0" }).tag).toBe("1.9.0");
    expect(selectTag(list, { type: "semver", range: ">=2.0.0-rc.1" }).tag).toBe("2.1.0-beta.1");
    expect(selectTag(list, { type: "semver", range: ">=2.0.0-rc.1 <2.1.0-0" }).tag).toBe("2.0.0-rc.10");
    expect(selectTag([...list, "2.0.0"], { type: "semver", range: ">=2.0.0-rc.1 <2.1.0-0" }).tag).toBe("2.0.0");
  });

  it("breaks ties between equal versions the same way whatever the registry's order", () => {
    const policy: TagPolicyInput = { type: "semver", range: "*" };
    expect(selectTag(["1.2.3", "v1.2.3"], policy).tag).toBe(selectTag(["v1.2.3", "1.2.3"], policy).tag);
    expect(compareTags(policy, "v1.2.3", "1.2.3")).toBe(0);
  });

  it("rejects an invalid range, naming the field", () => {
    const error = invalidError(() => selectTag(["1.0.0"], { type: "semver", range: "not a range" }));
    expect(error.message).toMatch(/range/);
    expect(error.details).toMatchObject({ field: "range" });
    const parsed = tagPolicySchema.safeParse({ type: "semver", range: ">=1.0.0 <<2" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["range"]);
  });
});

describe("regex policy", () => {
  const tags = ["main-abc123-1700000000", "main-def456-1700000100", "main-aaa-999", "feature-x-1800000000", "main-zzz-1900000000", "latest"];

  it("filters with a named group and sorts the extracted value numerically", () => {
    const result = selectTag(tags, { type: "regex", pattern: "^main-[a-f0-9]+-(?<ts>[0-9]+)$", extract: "$ts", order: "asc", sort: "numeric" });
    expect(result.tag).toBe("main-def456-1700000100");
    expect(result.considered).toBe(3);
    expect(reasonOf(result, "feature-x-1800000000")).toMatch(/does not match the pattern/);
    expect(reasonOf(result, "main-zzz-1900000000")).toMatch(/does not match the pattern/);
    expect(reasonOf(result, "latest")).toMatch(/does not match/);
  });

  it("accepts Go/Flux group syntax (?P<name>) and ${name}, $1 references", () => {
    for (const [pattern, extract] of [
      ["^main-[a-f0-9]+-(?P<ts>[0-9]+)$", "$ts"],
      ["^main-[a-f0-9]+-(?<ts>[0-9]+)$", "${ts}"],
      ["^main-[a-f0-9]+-([0-9]+)$", "$1"],
    ]) {
      expect(selectTag(tags, { type: "regex", pattern: pattern!, extract: extract!, order: "asc", sort: "numeric" }).tag).toBe("main-def456-1700000100");
    }
  });

  it("numeric and alphabetical order differ; desc picks the lowest", () => {
    const list = ["build-9", "build-10", "build-100", "build-x"];
    const base = { type: "regex" as const, pattern: "^build-(?<n>.+)$", extract: "$n" };
    const numeric = selectTag(list, { ...base, order: "asc", sort: "numeric" });
    expect(numeric.tag).toBe("build-100");
    expect(reasonOf(numeric, "build-x")).toMatch(/extracted "x", which is not a number/);
    expect(selectTag(list, { ...base, order: "desc", sort: "numeric" }).tag).toBe("build-9");
    expect(selectTag(list, { ...base, order: "asc", sort: "alphabetical" }).tag).toBe("build-x");
    expect(selectTag(list, { ...base, order: "desc", sort: "alphabetical" }).tag).toBe("build-10");
  });

  it("uses the whole tag when extract is empty, and big numbers keep their order", () => {
    expect(selectTag(["rel-b", "rel-c", "rel-a", "x"], { type: "regex", pattern: "^rel-" }).tag).toBe("rel-c");
    const big = ["t-99999999999999999998", "t-99999999999999999999", "t-1"];
    expect(selectTag(big, { type: "regex", pattern: "^t-(\\d+)$", extract: "$1", order: "asc", sort: "numeric" }).tag).toBe("t-99999999999999999999");
  });

  it("rejects an invalid pattern or an extract naming a missing group", () => {
    const badPattern = invalidError(() => selectTag(["a"], { type: "regex", pattern: "([a-z", extract: "$1", order: "asc", sort: "alphabetical" }));
    expect(badPattern.message).toMatch(/pattern: not a valid regular expression/);
    expect(badPattern.details).toMatchObject({ field: "pattern" });
    const badExtract = invalidError(() => selectTag(["a"], { type: "regex", pattern: "^(?<ts>\\d+)$", extract: "$nope", order: "asc", sort: "numeric" }));
    expect(badExtract.message).toMatch(/extract: "\$nope" refers to a group the pattern does not have \(it has named groups: ts\)/);
    const badNumber = invalidError(() => selectTag(["a"], { type: "regex", pattern: "^(\\d+)$", extract: "$2", order: "asc", sort: "numeric" }));
    expect(badNumber.details).toMatchObject({ field: "extract" });
  });
});

describe("numeric policy", () => {
  it("orders integer tags and skips the rest", () => {
    const tags = ["1", "2", "10", "abc", "3.5", "-4", "007"];
    const asc = selectTag(tags, { type: "numeric", order: "asc" });
    expect(asc.tag).toBe("10");
    expect(asc.considered).toBe(4);
    expect(asc.skipped.map((s) => s.tag).sort()).toEqual(["-4", "3.5", "abc"]);
    expect(reasonOf(asc, "abc")).toBe("not an integer tag");
    expect(selectTag(tags, { type: "numeric", order: "desc" }).tag).toBe("1");
  });
});

describe("robustness", () => {
  it("never throws for odd tags and returns null when nothing fits", () => {
    const odd = ["", " ", "ünïcødé", "x".repeat(5000), "1.2.3.4", "v", "..", "$1"];
    for (const policy of [
      { type: "semver", range: "*" },
      { type: "regex", pattern: "^(\\d+)$", extract: "$1", order: "asc", sort: "numeric" },
      { type: "numeric", order: "asc" },
    ] as TagPolicyInput[]) {
      const result = selectTag(odd, policy);
      expect(result.tag).toBeNull();
      expect(result.considered).toBe(0);
      expect(result.skipped).toHaveLength(odd.length);
    }
    expect(selectTag([], { type: "numeric", order: "asc" })).toEqual({ tag: null, considered: 0, skipped: [] });
  });

  it("rejects an unknown policy type", () => {
    const error = invalidError(() => selectTag(["1"], { type: "calver" } as unknown as TagPolicyInput));
    expect(error.details).toMatchObject({ field: "type" });
  });
});

describe("compareTags and isDowngrade", () => {
  const semverPolicy: TagPolicyInput = { type: "semver", range: ">=1.0.0" };

  it("say whether a move goes back to an older version", () => {
    expect(compareTags(semverPolicy, "1.10.0", "1.9.0")).toBe(1);
    expect(compareTags(semverPolicy, "1.9.0", "v1.10.0")).toBe(-1);
    expect(isDowngrade(semverPolicy, "1.5.0", "1.4.9")).toBe(true);
    expect(isDowngrade(semverPolicy, "1.4.0", "v1.5.0")).toBe(false);
    expect(isDowngrade(semverPolicy, "1.4.0", "1.4.0")).toBe(false);
    expect(isDowngrade(semverPolicy, "2.0.0", "2.0.0-rc.1")).toBe(true);
  });

  it("treat a missing or unparsable current tag as no downgrade", () => {
    expect(isDowngrade(semverPolicy, null, "1.0.0")).toBe(false);
    expect(isDowngrade(semverPolicy, "latest", "1.0.0")).toBe(false);
    expect(compareTags(semverPolicy, "latest", "0.0.1")).toBe(-1);
    expect(compareTags(semverPolicy, "latest", "nightly")).toBe(0);
  });

  it("follow the policy's order for regex and numeric policies", () => {
    const regex: TagPolicyInput = { type: "regex", pattern: "^main-[a-f0-9]+-(?<ts>\\d+)$", extract: "$ts", order: "asc", sort: "numeric" };
    expect(isDowngrade(regex, "main-abc-200", "main-def-100")).toBe(true);
    expect(isDowngrade(regex, "main-abc-100", "main-def-200")).toBe(false);
    expect(isDowngrade({ type: "numeric", order: "asc" }, "7", "5")).toBe(true);
    // desc prefers lower numbers, so going from 5 to 7 is the downgrade there.
    expect(isDowngrade({ type: "numeric", order: "desc" }, "5", "7")).toBe(true);
    expect(isDowngrade({ type: "numeric", order: "desc" }, "7", "5")).toBe(false);
  });
});
