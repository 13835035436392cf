import { describe, expect, it } from "vitest";
import { applyIgnoreRules, ignoreRuleSchema, ignoreRulesSchema, parseIgnoreRules, parsePointer, type IgnoreRule } from "../../lib/drift/ignore-rules";
import { AppError } from "../../lib/errors";
import type { KubeObjectLike } from "../../lib/drift/normalize";

function deployment(name = "web", namespace = "shop"): KubeObjectLike {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, annotations: { "example.com/foo": "a", "example.com/bar~baz": "b" }, labels: { app: name } },
    spec: {
      replicas: 4,
      template: {
        spec: {
          containers: [
            {
              name: "web",
              image: "web:1",
              env: [
                { name: "A", value: "1" },
                { name: "B", value: "2" },
              ],
            },
            { name: "sidecar", image: "proxy:2" },
            { name: "logger", image: "log:3" },
          ],
        },
      },
    },
  };
}
const spec = (o: KubeObjectLike) => o.spec as { replicas?: number; template: { spec: { containers: Array<{ name: string; env?: unknown[] }> } } };

describe("applyIgnoreRules", () => {
  it("removes /spec/replicas from Deployments (HPA-managed)", () => {
    const obj = deployment();
    const out = applyIgnoreRules(obj, [{ kind: "Deployment", jsonPointers: ["/spec/replicas"] }]);
    expect(spec(out)).not.toHaveProperty("replicas");
    expect(spec(out).template.spec.containers).toHaveLength(3);
    expect(spec(obj).replicas).toBe(4); // input untouched
  });

  it("matches on kind, group, name and namespace; omitted fields match anything", () => {
    const rules = (rule: Omit<IgnoreRule, "jsonPointers">) => [{ ...rule, jsonPointers: ["/spec/replicas"] }];
    const has = (rule: Omit<IgnoreRule, "jsonPointers">, obj = deployment()) => spec(applyIgnoreRules(obj, rules(rule))).replicas !== undefined;
    expect(has({})).toBe(false);
    expect(has({ kind: "Deployment", name: "web" })).toBe(false);
    expect(has({ kind: "Deployment", name: "api" })).toBe(true);
    expect(has({ kind: "StatefulSet" })).toBe(true);
    expect(has({ group: "apps" })).toBe(false);
    expect(has({ group: "" })).toBe(true);
    expect(has({ namespace: "shop" })).toBe(false);
    expect(has({ namespace: "other" })).toBe(true);
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } };
    expect(applyIgnoreRules(cm, [{ group: "", jsonPointers: ["/data/a"] }]).data).toEqual({});
  });

  it("leaves objects untouched when no rule matches", () => {
    const obj = deployment();
    const out = applyIgnoreRules(obj, [
      { kind: "Deployment", name: "other", jsonPointers: ["/spec"] },
      { kind: "Service", jsonPointers: ["/spec"] },
    ]);
    expect(out).toEqual(deployment());
  });

  it("decodes ~1 and ~0 escapes", () => {
    const out = applyIgnoreRules(deployment(), [{ jsonPointers: ["/metadata/annotations/example.com~1foo"] }]);
    expect(out.metadata!.annotations).toEqual({ "example.com/bar~baz": "b" });
    const both = applyIgnoreRules(deployment(), [{ jsonPointers: ["/metadata/annotations/example.com~1foo", "/metadata/annotations/example.com~1bar~0baz"] }]);
    expect(both.metadata).not.toHaveProperty("annotations"); // emptied map dropped, like normalizeForDiff
    expect(parsePointer("/a~01/b~10")).toEqual(["a~1", "b/0"]);
  });

  it("removes array elements by index, resolving every pointer against the original", () => {
    const out = applyIgnoreRules(deployment(), [
      { jsonPointers: ["/spec/template/spec/containers/0/env/1", "/spec/template/spec/containers/1", "/spec/template/spec/containers/2/image"] },
    ]);
    const containers = spec(out).template.spec.containers;
    expect(containers).toEqual([{ name: "web", image: "web:1", env: [{ name: "A", value: "1" }] }, { name: "logger" }]);
  });

  it("ignores missing paths, out-of-range indices and non-index tokens on arrays", () => {
    const pointers = [
      "/spec/nothing/here",
      "/spec/template/spec/containers/9",
      "/spec/template/spec/containers/-",
      "/spec/template/spec/containers/01",
      "/spec/replicas/deeper",
    ];
    expect(applyIgnoreRules(deployment(), [{ jsonPointers: pointers }])).toEqual(deployment());
  });
});

describe("ignore rule schema", () => {
  it("accepts a valid rule", () => {
    expect(ignoreRuleSchema.parse({ kind: "Deployment", jsonPointers: ["/spec/replicas"] })).toEqual({ kind: "Deployment", jsonPointers: ["/spec/replicas"] });
  });

  it("rejects pointers not starting with /, bad escapes and empty lists", () => {
    const bad = ignoreRuleSchema.safeParse({ jsonPointers: ["spec/replicas"] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/"spec\/replicas" must start with "\/"/);
    expect(ignoreRuleSchema.safeParse({ jsonPointers: ["/a~2b"] }).success).toBe(false);
    expect(ignoreRuleSchema.safeParse({ jsonPointers: [""] }).success).toBe(false);
    expect(ignoreRuleSchema.safeParse({ jsonPointers: [] }).error?.issues[0]?.message).toMatch(/at least one/);
  });

  it("names the rule index in list errors", () => {
    const result = ignoreRulesSchema.safeParse([
      { kind: "Deployment", jsonPointers: ["/spec/replicas"] },
      { kind: "HorizontalPodAutoscaler", jsonPointers: ["/status", "spec/minReplicas"] },
    ]);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    expect(result.error?.issues[0]?.message).toMatch(/^Ignore rule 1, jsonPointers\[1\]: JSON pointer "spec\/minReplicas" must start with "\/"/);
    expect(result.error?.issues[0]?.path).toEqual([1, "jsonPointers", 1]);
  });

  it("parseIgnoreRules throws invalid() naming the rule", () => {
    expect(parseIgnoreRules([{ jsonPointers: ["/spec/replicas"] }])).toEqual([{ jsonPointers: ["/spec/replicas"] }]);
    let error: unknown;
    try {
      parseIgnoreRules([{ jsonPointers: ["/ok"] }, { jsonPointers: ["/ok"] }, { kind: 3, jsonPointers: ["nope"] }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("invalid");
    expect((error as AppError).message).toMatch(/Ignore rule 2, kind: .*; Ignore rule 2, jsonPointers\[0\]: JSON pointer "nope" must start with "\/"/);
    expect(() => parseIgnoreRules({})).toThrow(AppError);
  });
});
