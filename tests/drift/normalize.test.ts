import { describe, expect, it } from "vitest";
import { maskSecretValues, normalizeForDiff, objectsEqual, stableHash, MASK, type KubeObjectLike } from "../../lib/drift/normalize";
import { toDiffYaml, summarizeChanges } from "../../lib/drift/yaml-diff";

function liveDeployment(): KubeObjectLike {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "guestbook",
      namespace: "shop",
      uid: "5b1f2c1e-8f77-4c4e-9a51-2f0c7b0f6f11",
      resourceVersion: "48213",
      generation: 7,
      creationTimestamp: "2024-05-01T10:00:00Z",
      selfLink: "/apis/apps/v1/namespaces/shop/deployments/guestbook",
      labels: { app: "guestbook", tier: "frontend" },
      annotations: {
        "deployment.kubernetes.io/revision": "7",
        "kubectl.kubernetes.io/last-applied-configuration": '{"apiVersion":"apps/v1"}',
        "example.com/owner": "team-a",
      },
      ownerReferences: [{ apiVersion: "example.com/v1", kind: "App", name: "guestbook", uid: "abc", controller: true }],
      managedFields: [{ manager: "kubectl", operation: "Apply", apiVersion: "apps/v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": {} } }],
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "guestbook" } },
      template: {
        metadata: { labels: { app: "guestbook" } },
        spec: {
          containers: [
            {
              name: "web",
              image: "registry.example.com/guestbook:1.4.2",
              ports: [{ containerPort: 8080, protocol: "TCP" }],
              env: [{ name: "LOG_LEVEL", value: "info" }],
              resources: { limits: { cpu: "500m", memory: "256Mi" } },
            },
            { name: "sidecar", image: "registry.example.com/proxy:2.0" },
          ],
        },
      },
    },
    status: { replicas: 3, readyReplicas: 3, observedGeneration: 7 },
  };
}

function liveSecret(value = "aHVudGVyMg=="): KubeObjectLike {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "Opaque",
    metadata: {
      name: "db-credentials",
      namespace: "shop",
      uid: "1",
      resourceVersion: "9",
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"stringData":{"password":"hunter2"}}' },
    },
    data: { password: value, username: "YWRtaW4=" },
  };
}

describe("normalizeForDiff", () => {
  it("removes server-set fields and keeps user fields", () => {
    const n = normalizeForDiff(liveDeployment());
    const metadata = n.metadata!;
    for (const field of ["managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink"]) {
      expect(metadata).not.toHaveProperty(field);
    }
    expect(n).not.toHaveProperty("status");
    expect(metadata.annotations).toEqual({ "example.com/owner": "team-a" });
    expect(metadata.labels).toEqual({ app: "guestbook", tier: "frontend" });
    expect(metadata.ownerReferences).toHaveLength(1);
    expect(metadata.name).toBe("guestbook");
    expect(metadata.namespace).toBe("shop");
    expect((n.spec as { replicas: number }).replicas).toBe(3);
  });

  it("drops annotation and label maps left empty", () => {
    const obj = liveDeployment();
    obj.metadata!.annotations = { "deployment.kubernetes.io/revision": "3" };
    obj.metadata!.labels = {};
    const n = normalizeForDiff(obj);
    expect(n.metadata).not.toHaveProperty("annotations");
    expect(n.metadata).not.toHaveProperty("labels");
  });

  it("does not modify its input", () => {
    const obj = liveDeployment();
    const before = JSON.stringify(obj);
    normalizeForDiff(obj);
    expect(JSON.stringify(obj)).toBe(before);
  });

  it("sorts keys recursively, so key order never matters", () => {
    const a = { kind: "ConfigMap", apiVersion: "v1", metadata: { namespace: "x", name: "c" }, data: { b: "2", a: "1" } };
    const b = { data: { a: "1", b: "2" }, metadata: { name: "c", namespace: "x" }, apiVersion: "v1", kind: "ConfigMap" };
    expect(JSON.stringify(normalizeForDiff(a))).toBe(JSON.stringify(normalizeForDiff(b)));
    expect(Object.keys(normalizeForDiff(a))).toEqual(["apiVersion", "data", "kind", "metadata"]);
    expect(toDiffYaml(normalizeForDiff(a))).toBe(toDiffYaml(normalizeForDiff(b)));
    expect(stableHash(a)).toBe(stableHash(b));
    expect(stableHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(stableHash({ ...a, data: { a: "1", b: "3" } })).not.toBe(stableHash(a));
  });

  it("is idempotent and objectsEqual ignores server-set differences", () => {
    const live = liveDeployment();
    const once = normalizeForDiff(live);
    expect(normalizeForDiff(once)).toEqual(once);
    const desired = liveDeployment();
    desired.metadata!.resourceVersion = "1";
    delete desired.status;
    expect(objectsEqual(normalizeForDiff(desired), normalizeForDiff(live))).toBe(true);
    (desired.spec as { replicas: number }).replicas = 5;
    expect(objectsEqual(normalizeForDiff(desired), normalizeForDiff(live))).toBe(false);
  });

  it("toDiffYaml is stable YAML without line folding", () => {
    const obj = normalizeForDiff(liveDeployment());
    const long = "x".repeat(300);
    (obj.metadata!.annotations as Record<string, string>)["example.com/long"] = long;
    const yaml = toDiffYaml(obj);
    expect(yaml).toContain(`example.com/long: ${long}\n`);
    expect(yaml.startsWith("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n")).toBe(true);
    expect(yaml).not.toContain("status:");
  });
});

describe("Secrets", () => {
  const RAW = "hunter2";
  const RAW_B64 = "aHVudGVyMg=="; // base64("hunter2")

  it("never shows raw values in normalizeForDiff, toDiffYaml or summarizeChanges", () => {
    const desired = liveSecret(Buffer.from("hunter3").toString("base64"));
    const live = liveSecret(RAW_B64);
    const outputs = [
      JSON.stringify(normalizeForDiff(live)),
      toDiffYaml(normalizeForDiff(live)),
      toDiffYaml(live), // even un-normalized input is masked
      JSON.stringify(summarizeChanges(normalizeForDiff(desired), normalizeForDiff(live))),
      JSON.stringify(summarizeChanges(desired, live)),
    ];
    for (const out of outputs) {
      expect(out).not.toContain(RAW);
      expect(out).not.toContain(RAW_B64);
      expect(out).not.toContain("YWRtaW4=");
    }
    expect(outputs[0]).toContain(MASK);
  });

  it("masks with a keyed fingerprint, so a changed value is still detected", () => {
    const a = normalizeForDiff(liveSecret(RAW_B64));
    const b = normalizeForDiff(liveSecret(Buffer.from("hunter3").toString("base64")));
    expect((a.data as Record<string, string>).password).toMatch(/^•{8} \(sha256:[0-9a-f]{8}\)$/);
    expect(objectsEqual(a, normalizeForDiff(liveSecret(RAW_B64)))).toBe(true);
    expect(objectsEqual(a, b)).toBe(false);
    expect(summarizeChanges(b, a)).toEqual([
      { path: "/data/password", desired: (b.data as Record<string, string>).password, live: (a.data as Record<string, string>).password },
    ]);
  });

  it("depends on the salt", () => {
    const one = maskSecretValues(liveSecret(), "salt-1").data as Record<string, string>;
    const two = maskSecretValues(liveSecret(), "salt-2").data as Record<string, string>;
    expect(one.password).not.toBe(two.password);
    expect(maskSecretValues(liveSecret(), "salt-1").data).toEqual(one);
  });

  it("masks last-applied-configuration in maskSecretValues and leaves non-Secrets alone", () => {
    const masked = maskSecretValues(liveSecret(), "s");
    expect(JSON.stringify(masked)).not.toContain(RAW);
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { password: "plain" } };
    expect(maskSecretValues(cm, "s")).toBe(cm);
  });

  it("treats desired stringData as equal to the same value in live data", () => {
    const desired = {
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      metadata: { name: "db-credentials", namespace: "shop" },
      stringData: { password: RAW },
      data: { username: "YWRtaW4=" },
    };
    const live = liveSecret(RAW_B64);
    const nd = normalizeForDiff(desired);
    expect(nd).not.toHaveProperty("stringData");
    expect(Object.keys(nd.data as object)).toEqual(["password", "username"]);
    expect(JSON.stringify(nd)).not.toContain(RAW);
    expect(objectsEqual(nd, normalizeForDiff(live))).toBe(true);
    const changed = { ...desired, stringData: { password: "hunter3" } };
    expect(objectsEqual(normalizeForDiff(changed), normalizeForDiff(live))).toBe(false);
  });

  it("lets stringData win over data for the same key, as the API server does", () => {
    const desired = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { password: "b2xk" }, stringData: { password: RAW } };
    const live = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { password: RAW_B64 } };
    expect(objectsEqual(normalizeForDiff(desired), normalizeForDiff(live))).toBe(true);
  });
});
