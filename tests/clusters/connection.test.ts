// Registering clusters against the real kube-apiserver of the test bed: the good case,
// and each failure the Clusters page must tell apart.
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { registerCluster } from "../../lib/clusters/manage-clusters";
import { clusterDeps } from "../../server/root";
import { unseal } from "../../lib/crypto/keyring";
import { checkConnection } from "../../lib/kube/connection-check";
import { clientFromKubeconfig } from "../../lib/kube/transport";
import { prisma, uniqueName } from "../helpers/db";
import { testbedKubeconfig } from "../helpers/testbed";

const name = () => uniqueName("c").toLowerCase();
const register = (kubeconfig: string, context?: string) =>
  registerCluster(clusterDeps(), { source: "kubeconfig", name: name(), kubeconfig, context: context ?? (parse(kubeconfig)["current-context"] as string) });

function edit(
  kubeconfig: string,
  change: (doc: { clusters: Array<{ cluster: Record<string, unknown> }>; users: Array<{ user: Record<string, unknown> }> }) => void,
): string {
  const doc = parse(kubeconfig);
  change(doc);
  return stringify(doc);
}

let silent: Server;
let silentPort = 0;
let otherCa = "";
beforeAll(async () => {
  silent = createServer(() => {}); // accepts connections, never answers: a hung API server
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  silentPort = (silent.address() as { port: number }).port;
  const dir = mkdtempSync(path.join(os.tmpdir(), "tideline-ca-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=other-ca",
      "-keyout",
      path.join(dir, "k"),
      "-out",
      path.join(dir, "c"),
    ],
    { stdio: "ignore" },
  );
  otherCa = readFileSync(path.join(dir, "c")).toString("base64");
  rmSync(dir, { recursive: true, force: true });
});
afterAll(() => silent.close());

describe("cluster registration and connection check", () => {
  it("connects with the admin kubeconfig: version, identity and permissions", async () => {
    const { cluster, report } = await register(testbedKubeconfig("admin"));
    expect(cluster.status).toBe("connected");
    expect(cluster.serverVersion).toMatch(/^v1\.\d+\.\d+/);
    expect(report.authenticated).toBe(true);
    expect(Object.values(report.permissions).every(Boolean)).toBe(true);
    const row = await prisma().cluster.findUniqueOrThrow({ where: { id: cluster.id } });
    expect(row.encryptedKubeconfig).not.toContain("client-key-data");
    expect(unseal(row.encryptedKubeconfig!)).toContain("client-key-data");
  });

  it("shows what a user without RBAC rights may not do (403 on every check)", async () => {
    const { cluster, report } = await register(testbedKubeconfig("viewer"));
    expect(report.authenticated).toBe(true);
    expect(cluster.status).toBe("degraded");
    expect(cluster.statusReason).toBe("forbidden");
    expect(cluster.lastError).toContain("Credentials may not: list configmaps");
    expect(report.permissions["patch apps/deployments"]).toBe(false);
  });

  it("reports rejected credentials as 401", async () => {
    const bad = edit(testbedKubeconfig("admin"), (d) => (d.users[0]!.user = { token: "not-a-valid-token" }));
    const { cluster } = await register(bad);
    expect(cluster.statusReason).toBe("unauthorized");
    expect(cluster.lastError).toContain("HTTP 401");
  });

  it("reports a CA that does not match the server's certificate", async () => {
    const bad = edit(testbedKubeconfig("admin"), (d) => (d.clusters[0]!.cluster["certificate-authority-data"] = otherCa));
    const { cluster } = await register(bad);
    expect(cluster.status).toBe("unreachable");
    expect(cluster.statusReason).toBe("tls");
    expect(cluster.lastError).toContain("TLS verification failed");
  });

  it("reports a DNS failure", async () => {
    const bad = edit(testbedKubeconfig("admin"), (d) => (d.clusters[0]!.cluster.server = "https://no-such-cluster.invalid:6443"));
    const { cluster } = await register(bad);
    expect(cluster.statusReason).toBe("dns");
    expect(cluster.lastError).toContain("DNS lookup failed");
  });

  it("reports a server that never answers as a timeout", async () => {
    const hung = edit(testbedKubeconfig("admin"), (d) => (d.clusters[0]!.cluster.server = `https://127.0.0.1:${silentPort}`));
    const report = await checkConnection(clientFromKubeconfig("hung", hung), "default", 1_000);
    expect(report.reachable).toBe(false);
    expect(report.failure).toBe("timeout");
  });

  it("refuses a context that does not exist before storing anything", async () => {
    const before = await prisma().cluster.count();
    await expect(register(testbedKubeconfig("admin"), "missing")).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringContaining('Context "missing" does not exist'),
    });
    expect(await prisma().cluster.count()).toBe(before);
  });
});
