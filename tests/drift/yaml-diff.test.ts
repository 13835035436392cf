import { describe, expect, it } from "vitest";
import { normalizeForDiff, type KubeObjectLike } from "../../lib/drift/normalize";
import { applyIgnoreRules } from "../../lib/drift/ignore-rules";
import { MAX_CHANGES, summarizeChanges, toDiffYaml } from "../../lib/drift/yaml-diff";

function deployment(): KubeObjectLike {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "guestbook", namespace: "shop", labels: { app: "guestbook" }, uid: "u", resourceVersion: "7", generation: 2 },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "guestbook" } },
      template: {
        metadata: { labels: { app: "guestbook" } },
        spec: {
          containers: [
            {
              name: "web",
              image: "registry.example.com/guestbook:1.4.2",
              env: [{ name: "LOG_LEVEL", value: "info" }],
              ports: [{ containerPort: 8080, protocol: "TCP" }],
            },
          ],
        },
      },
    },
    status: { replicas: 2 },
  };
}
type Spec = { replicas: number; template: { spec: { containers: Array<{ image: string; env: Array<{ name: string; value: string }> }> } } };
const specOf = (o: KubeObjectLike) => o.spec as Spec;

describe("summarizeChanges", () => {
  it("reports image, replicas and an added env var on a realistic Deployment", () => {
    const desired = deployment();
    delete desired.status;
    const d = specOf(desired);
    d.replicas = 3;
    d.template.spec.containers[0]!.image = "registry.example.com/guestbook:1.5.0";
    d.template.spec.containers[0]!.env.push({ name: "FEATURE_X", value: "on" });
    const live = deployment();

    expect(summarizeChanges(normalizeForDiff(desired), normalizeForDiff(live))).toEqual([
      { path: "/spec/replicas", desired: 3, live: 2 },
      { path: "/spec/template/spec/containers/0/env/1", desired: { name: "FEATURE_X", value: "on" }, live: undefined },
      { path: "/spec/template/spec/containers/0/image", desired: "registry.example.com/guestbook:1.5.0", live: "registry.example.com/guestbook:1.4.2" },
    ]);
  });

  it("reports nothing for equal objects, and nothing once the differing path is ignored", () => {
    const desired = deployment();
    specOf(desired).replicas = 5;
    expect(summarizeChanges(normalizeForDiff(deployment()), normalizeForDiff(deployment()))).toEqual([]);
    const rules = [{ kind: "Deployment", jsonPointers: ["/spec/replicas"] }];
    const ignored = (o: KubeObjectLike) => applyIgnoreRules(normalizeForDiff(o), rules);
    expect(summarizeChanges(ignored(desired), ignored(deployment()))).toEqual([]);
  });

  it("reports removed array elements, removed keys and escapes pointer tokens", () => {
    const desired = normalizeForDiff(deployment());
    desired.metadata!.annotations = { "example.com/a~b": "x" };
    const live = normalizeForDiff(deployment());
    specOf(live).template.spec.containers.push({ image: "proxy:2", env: [] });
    expect(summarizeChanges(desired, live)).toEqual([
      { path: "/metadata/annotations", desired: { "example.com/a~b": "x" }, live: undefined },
      { path: "/spec/template/spec/containers/1", desired: undefined, live: { env: [], image: "proxy:2" } },
    ]);
    const d2 = normalizeForDiff(deployment());
    d2.metadata!.labels = { app: "guestbook", "example.com/a~b": "x" };
    expect(summarizeChanges(d2, normalizeForDiff(deployment()))).toEqual([{ path: "/metadata/labels/example.com~1a~0b", desired: "x", live: undefined }]);
  });

  it(`returns at most ${MAX_CHANGES} entries`, () => {
    const a = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, "a"])) };
    const b = { ...a, data: Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, "b"])) };
    expect(summarizeChanges(a, b)).toHaveLength(MAX_CHANGES);
  });
});

describe("toDiffYaml", () => {
  it("gives identical text for objects that differ only in key order and server-set fields", () => {
    const a = deployment();
    const reversed = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reversed)
        : v && typeof v === "object"
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reversed(x)]),
            )
          : v;
    const b = reversed(deployment()) as KubeObjectLike;
    expect(Object.keys(b)[0]).toBe("status");
    b.metadata = { ...deployment().metadata, resourceVersion: "99" };
    expect(toDiffYaml(normalizeForDiff(a))).toBe(toDiffYaml(normalizeForDiff(b)));
    expect(toDiffYaml(normalizeForDiff(a))).toContain("      containers:\n        - env:\n            - name: LOG_LEVEL\n");
  });
});
