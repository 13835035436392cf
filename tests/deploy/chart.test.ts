// The Helm chart (deploy/chart/tideline) renders web and worker Deployments with the right
// command, probes, Secret references and resources, honours replicas and existingSecret, refuses
// to render without a secret key, and what it renders is accepted by a real API server (the test
// bed): namespaced objects applied in a fresh namespace, cluster-scoped ones server-side dry-run,
// and the Deployments roll out there (the test bed's simulated kubelet runs their pods).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { kubeRequest } from "../../lib/kube/transport";
import { adminClient, createNamespace, eventually } from "../helpers/testbed";

const run = promisify(execFile);
const HELM = path.resolve(".tideline/bin/helm");
const CHART = path.resolve("deploy/chart/tideline");
const haveHelm = existsSync(HELM);
if (!haveHelm) console.warn(`tests/deploy/chart.test.ts skipped: no helm binary at ${HELM} (the test bed setup downloads it)`);

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  stringData?: Record<string, string>;
  subjects?: any[];
};
const KEY = randomBytes(32).toString("base64");
const DB = "postgresql://tideline:db-pass-123@postgres.example:5432/tideline";

async function render(namespace: string, ...set: string[]): Promise<Obj[]> {
  const args = ["template", "tl", CHART, "--namespace", namespace, ...set.flatMap((s) => ["--set", s])];
  const { stdout } = await run(HELM, args, { maxBuffer: 10 * 1024 * 1024 });
  return parseAllDocuments(stdout)
    .map((d) => d.toJSON())
    .filter((o): o is Obj => !!o && typeof o === "object");
}
async function renderError(...set: string[]): Promise<string> {
  return run(HELM, ["template", "tl", CHART, ...set.flatMap((s) => ["--set", s])]).then(
    () => "",
    (e: { stderr: string }) => e.stderr,
  );
}
const find = (objs: Obj[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  expect(o, `${kind} ${name} in ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(", ")}`).toBeTruthy();
  return o!;
};
const container = (d: Obj) => d.spec.template.spec.containers[0];
const envOf = (d: Obj, name: string) => container(d).env.find((e: { name: string }) => e.name === name);

const PLURAL: Record<string, [prefix: string, plural: string, namespaced: boolean]> = {
  ServiceAccount: ["/api/v1", "serviceaccounts", true],
  Secret: ["/api/v1", "secrets", true],
  Service: ["/api/v1", "services", true],
  PersistentVolumeClaim: ["/api/v1", "persistentvolumeclaims", true],
  Deployment: ["/apis/apps/v1", "deployments", true],
  Role: ["/apis/rbac.authorization.k8s.io/v1", "roles", true],
  RoleBinding: ["/apis/rbac.authorization.k8s.io/v1", "rolebindings", true],
  ClusterRole: ["/apis/rbac.authorization.k8s.io/v1", "clusterroles", false],
  ClusterRoleBinding: ["/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", false],
};

const namespaces: string[] = [];
afterAll(async () => {
  if (!haveHelm) return;
  for (const ns of namespaces) await kubeRequest(adminClient(), "DELETE", `/api/v1/namespaces/${ns}`).catch(() => {});
});

describe.skipIf(!haveHelm)("Helm chart deploy/chart/tideline", () => {
  it("renders web and worker Deployments, a Service, a ServiceAccount with RBAC and a Secret (defaults)", async () => {
    const objs = await render("tideline", `secret.databaseUrl=${DB}`, `secret.secretKey=${KEY}`);
    expect(objs.map((o) => o.kind).sort()).toEqual(["ClusterRole", "ClusterRoleBinding", "Deployment", "Deployment", "Secret", "Service", "ServiceAccount"]);

    const secret = find(objs, "Secret", "tl-tideline");
    expect(secret.stringData).toEqual({ DATABASE_URL: DB, TIDELINE_SECRET_KEY: KEY });

    for (const role of ["web", "worker"]) {
      const d = find(objs, "Deployment", `tl-tideline-${role}`);
      expect(d.spec.replicas).toBe(2);
      expect(d.spec.selector.matchLabels["app.kubernetes.io/component"]).toBe(role);
      expect(d.spec.template.spec.serviceAccountName).toBe("tl-tideline");
      const c = container(d);
      expect(c.command).toEqual(["node", "scripts/start.mjs", "--role", role]);
      expect(envOf(d, "TIDELINE_ROLE").value).toBe(role);
      // Secrets by reference only, never as plain values in the Deployment.
      expect(envOf(d, "DATABASE_URL").valueFrom.secretKeyRef).toEqual({ name: "tl-tideline", key: "DATABASE_URL" });
      expect(envOf(d, "TIDELINE_SECRET_KEY").valueFrom.secretKeyRef).toEqual({ name: "tl-tideline", key: "TIDELINE_SECRET_KEY" });
      expect(JSON.stringify(d)).not.toContain("db-pass-123");
      expect(JSON.stringify(d)).not.toContain(KEY);
      expect(c.resources.requests.cpu).toBeTruthy();
      expect(c.resources.requests.memory).toBeTruthy();
      expect(c.livenessProbe).toBeTruthy();
      expect(c.readinessProbe).toBeTruthy();
      // Migrations run before the process, with the same environment.
      expect(d.spec.template.spec.initContainers[0].command).toEqual(["node_modules/.bin/prisma", "migrate", "deploy"]);
      // The pods restart when the chart's Secret changes.
      expect(d.spec.template.metadata.annotations["checksum/secret"]).toMatch(/^[0-9a-f]{64}$/);
    }
    const web = container(find(objs, "Deployment", "tl-tideline-web"));
    expect(web.ports).toEqual([{ name: "http", containerPort: 3000, protocol: "TCP" }]);
    expect(web.readinessProbe.httpGet).toEqual({ path: "/api/health?ready=1", port: "http" });
    expect(web.livenessProbe.httpGet).toEqual({ path: "/api/health?live=1", port: "http" });
    const worker = container(find(objs, "Deployment", "tl-tideline-worker"));
    expect(worker.livenessProbe.exec.command.slice(0, 3)).toEqual(["node", "server/worker-health.mjs", "--worker"]);
    expect(worker.startupProbe.exec.command.slice(0, 3)).toEqual(["node", "server/worker-health.mjs", "--worker"]);
    // Each worker serves its own /metrics; the token comes from the Secret when it holds one.
    expect(worker.ports).toEqual([{ name: "metrics", containerPort: 9464, protocol: "TCP" }]);
    expect(envOf(find(objs, "Deployment", "tl-tideline-worker"), "TIDELINE_METRICS_PORT").value).toBe("9464");
    expect(envOf(find(objs, "Deployment", "tl-tideline-worker"), "TIDELINE_METRICS_TOKEN").valueFrom.secretKeyRef).toEqual({
      name: "tl-tideline",
      key: "TIDELINE_METRICS_TOKEN",
      optional: true,
    });
    // The probe finds this pod's engine by the name the engine registers with: the pod's name.
    expect(envOf(find(objs, "Deployment", "tl-tideline-worker"), "TIDELINE_WORKER_NAME").valueFrom.fieldRef.fieldPath).toBe("metadata.name");

    const svc = find(objs, "Service", "tl-tideline");
    expect(svc.spec.selector["app.kubernetes.io/component"]).toBe("web");
    expect(svc.spec.ports[0]).toMatchObject({ port: 80, targetPort: "http" });

    const binding = find(objs, "ClusterRoleBinding", "tl-tideline");
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "tl-tideline", namespace: "tideline" }]);
  });

  it("honours replicas and existingSecret, namespaced RBAC, and refuses to render without a key", async () => {
    const objs = await render(
      "tideline",
      "web.replicas=3",
      "worker.replicas=5",
      "secret.existingSecret=my-tideline",
      "rbac.clusterWide=false",
      "rbac.namespaces={apps,web}",
    );
    expect(objs.filter((o) => o.kind === "Secret")).toEqual([]);
    expect(find(objs, "Deployment", "tl-tideline-web").spec.replicas).toBe(3);
    const worker = find(objs, "Deployment", "tl-tideline-worker");
    expect(worker.spec.replicas).toBe(5);
    expect(envOf(worker, "DATABASE_URL").valueFrom.secretKeyRef).toEqual({ name: "my-tideline", key: "DATABASE_URL" });
    expect(envOf(worker, "TIDELINE_SECRET_KEY").valueFrom.secretKeyRef).toEqual({ name: "my-tideline", key: "TIDELINE_SECRET_KEY" });
    expect(worker.spec.template.metadata.annotations?.["checksum/secret"]).toBeUndefined();
    expect(objs.filter((o) => o.kind === "ClusterRole")).toEqual([]);
    expect(
      objs
        .filter((o) => o.kind === "Role")
        .map((o) => o.metadata.namespace)
        .sort(),
    ).toEqual(["apps", "web"]);

    expect(await renderError(`secret.databaseUrl=${DB}`)).toContain("secret.secretKey is required");
    expect(await renderError(`secret.secretKey=${KEY}`)).toContain("secret.databaseUrl is required");
    expect(await renderError(`secret.databaseUrl=${DB}`, "secret.secretKey=c2hvcnQ=")).toContain("32 random bytes");
    expect(await renderError(`secret.databaseUrl=${DB}`, `secret.secretKey=${KEY}`, "secret.metricsToken=short")).toContain("at least 16 characters");

    const token = randomBytes(24).toString("hex");
    const withMetrics = await render("tideline", `secret.databaseUrl=${DB}`, `secret.secretKey=${KEY}`, `secret.metricsToken=${token}`, "worker.metricsPort=0");
    expect(find(withMetrics, "Secret", "tl-tideline").stringData).toEqual({ DATABASE_URL: DB, TIDELINE_SECRET_KEY: KEY, TIDELINE_METRICS_TOKEN: token });
    const quiet = find(withMetrics, "Deployment", "tl-tideline-worker");
    expect(container(quiet).ports).toBeUndefined();
    expect(envOf(quiet, "TIDELINE_METRICS_PORT").value).toBe("0");
    expect(JSON.stringify(quiet)).not.toContain(token);
  });

  it("renders objects the test bed's API server accepts (apply in a fresh namespace, cluster-scoped dry-run)", async () => {
    const ns = `chart-${randomBytes(4).toString("hex")}`;
    const client = adminClient();
    await createNamespace(client, ns);
    namespaces.push(ns);
    const sets = [
      [`secret.databaseUrl=${DB}`, `secret.secretKey=${KEY}`],
      [
        "secret.existingSecret=my-tideline",
        "web.replicas=1",
        "worker.replicas=3",
        `fullnameOverride=alt-${ns}`,
        "rbac.clusterWide=false",
        `rbac.namespaces={${ns}}`,
      ],
    ];
    for (const set of sets) {
      const objs = await render(ns, ...set);
      for (const o of objs) {
        const kind = PLURAL[o.kind];
        expect(kind, `a path for ${o.kind}`).toBeTruthy();
        const [prefix, plural, namespaced] = kind!;
        const url = namespaced ? `${prefix}/namespaces/${o.metadata.namespace ?? ns}/${plural}/${o.metadata.name}` : `${prefix}/${plural}/${o.metadata.name}`;
        const applied = await kubeRequest<Obj>(client, "PATCH", url, {
          query: { fieldManager: "tideline-chart-test", force: true, ...(namespaced ? {} : { dryRun: "All" }) },
          contentType: "application/apply-patch+yaml",
          body: o,
        });
        expect(applied.kind).toBe(o.kind);
      }
    }
    const deployments = await kubeRequest<{ items: Obj[] }>(client, "GET", `/apis/apps/v1/namespaces/${ns}/deployments`);
    expect(deployments.items.map((d) => `${d.metadata.name}=${d.spec.replicas}`).sort()).toEqual([
      `alt-${ns}-web=1`,
      `alt-${ns}-worker=3`,
      "tl-tideline-web=2",
      "tl-tideline-worker=2",
    ]);

    // The Deployments roll out: the test bed's controllers create the pods (ServiceAccount admission
    // included) and its simulated kubelet runs them, init container first.
    type Rollout = { metadata: { name: string }; spec: { replicas: number }; status?: { readyReplicas?: number } };
    const ready = (items: Rollout[]) => items.map((d) => `${d.metadata.name}=${d.status?.readyReplicas ?? 0}/${d.spec.replicas}`).sort();
    const rolled = await eventually(
      async () => (await kubeRequest<{ items: Rollout[] }>(client, "GET", `/apis/apps/v1/namespaces/${ns}/deployments`)).items,
      (items) => items.every((d) => (d.status?.readyReplicas ?? 0) === d.spec.replicas),
      30_000,
    );
    expect(ready(rolled)).toEqual([`alt-${ns}-web=1/1`, `alt-${ns}-worker=3/3`, "tl-tideline-web=2/2", "tl-tideline-worker=2/2"]);
    type Pod = {
      metadata: { labels: Record<string, string> };
      spec: { serviceAccountName: string; initContainers?: Array<{ name: string }> };
      status: { phase: string };
    };
    const pods = (
      await kubeRequest<{ items: Pod[] }>(client, "GET", `/api/v1/namespaces/${ns}/pods`, {
        query: { labelSelector: "app.kubernetes.io/instance=tl,app.kubernetes.io/component=worker" },
      })
    ).items;
    expect(pods.map((p) => p.status.phase)).toEqual(["Running", "Running", "Running", "Running", "Running"]);
    expect(new Set(pods.map((p) => p.spec.serviceAccountName))).toEqual(new Set(["tl-tideline", `alt-${ns}`]));
    expect(pods.every((p) => p.spec.initContainers?.[0]?.name === "migrate")).toBe(true);
  });
});
