// The watch-backed cache against the real API server: filled by LIST, kept current by
// WATCH, recovering after the API server restarts, and re-listed after 410 Gone.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, chmodSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ClusterCache } from "../../lib/kube/cluster-cache";
import { clientFromKubeconfig, kubeRequest } from "../../lib/kube/transport";
import { adminClient, createConfigMap, createNamespace, eventually } from "../helpers/testbed";
import { uniqueName } from "../helpers/db";
import { startTestbed } from "../../scripts/testbed.mjs";

const caches: ClusterCache[] = [];
afterAll(() => caches.forEach((c) => c.stop()));

describe("live cache", () => {
  it("serves objects by kind, namespace and label selector, and follows changes", async () => {
    const client = adminClient();
    const ns = uniqueName("cache").toLowerCase();
    await createNamespace(client, ns);
    await createConfigMap(client, ns, "web", { suite: "cache", app: "web", tier: "frontend" });
    await createConfigMap(client, ns, "db", { suite: "cache", app: "db" });

    const cache = new ClusterCache(client);
    caches.push(cache);
    const names = async (labelSelector = "suite=cache") =>
      (await cache.list({ apiVersion: "v1", kind: "ConfigMap", namespace: ns, labelSelector })).map((o) => o.metadata.name).sort();
    expect(await names()).toEqual(["db", "web"]);
    expect((await cache.list({ apiVersion: "v1", kind: "ConfigMap", namespace: ns })).map((o) => o.metadata.name)).toContain("kube-root-ca.crt");
    expect(await names("suite=cache,app=web")).toEqual(["web"]);
    expect(await names("app in (web, db),tier")).toEqual(["web"]);
    expect((await cache.get("v1", "ConfigMap", ns, "web"))?.metadata.managedFields).toBeUndefined();

    await createConfigMap(client, ns, "cache-me", { suite: "cache", app: "web" });
    expect(
      await eventually(
        () => names("suite=cache,app=web"),
        (n) => n.length === 2,
      ),
    ).toEqual(["cache-me", "web"]);
    await kubeRequest(client, "DELETE", `/api/v1/namespaces/${ns}/configmaps/db`);
    expect(
      await eventually(
        () => names(),
        (n) => !n.includes("db"),
      ),
    ).toEqual(["cache-me", "web"]);
  });

  it("an unknown kind is reported clearly", async () => {
    const cache = new ClusterCache(adminClient());
    caches.push(cache);
    await expect(cache.list({ apiVersion: "example.com/v1", kind: "Widget" })).rejects.toMatchObject({
      message: expect.stringContaining("is its CRD installed?"),
    });
  });

  it("recovers after the API server is stopped and started again", { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "tideline-tb-"));
    chmodSync(dir, 0o755);
    let bed = await startTestbed({ dir, quiet: true });
    const port = Number(new URL(bed.server).port);
    try {
      const client = clientFromKubeconfig("restarting", readFileSync(bed.kubeconfigPath, "utf8"));
      const cache = new ClusterCache(client, { maxBackoffMs: 1_000 });
      caches.push(cache);
      await createConfigMap(client, "default", "before");
      const kind = await cache.kind("v1", "ConfigMap");
      await eventually(() => kind.objects.has("default/before"), Boolean);

      await bed.stop();
      await eventually(
        () => kind.state,
        (s) => s === "retrying",
        20_000,
      );
      expect(kind.lastError).toMatch(/refused|unreachable|failed/i);

      bed = await startTestbed({ dir, port, quiet: true });
      await createConfigMap(client, "default", "after");
      await eventually(() => kind.objects.has("default/after"), Boolean, 30_000);
      expect(kind.objects.has("default/before")).toBe(true);
      expect(kind.state).toBe("synced");

      // The restarted API server's watch cache begins after resourceVersion 1, so a watch
      // from there is answered 410 Gone: the cache must start over with a fresh LIST.
      const relists = kind.relists;
      kind.resync("1");
      await eventually(
        () => kind.relists,
        (n) => n > relists,
        20_000,
      );
      expect(kind.relists).toBeGreaterThan(relists);
      await createConfigMap(client, "default", "after-relist");
      await eventually(() => kind.objects.has("default/after-relist"), Boolean);
      expect(kind.state).toBe("synced");
    } finally {
      await bed.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
