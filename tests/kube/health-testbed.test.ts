// Health assessment on objects from the real test bed (kube-apiserver, kube-controller-manager
// and the pod simulator; failures injected with testbed.tideline.dev/* annotations, see testbed/sim.go).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assessHealth, assessWorkloadWithPods, type Health, type HealthStatus, type KubeResource } from "../../lib/kube/health";
import { kubeRequest } from "../../lib/kube/transport";
import { adminClient, createNamespace, eventually } from "../helpers/testbed";
import { uniqueName } from "../helpers/db";

const client = adminClient();
const ns = uniqueName("health").toLowerCase();
const WAIT_MS = 60_000;

beforeAll(() => createNamespace(client, ns));
afterAll(async () => {
  await kubeRequest(client, "DELETE", `/api/v1/namespaces/${ns}`).catch(() => undefined);
});

const get = (path: string) => kubeRequest<KubeResource>(client, "GET", path);
const create = (path: string, body: KubeResource) => kubeRequest<KubeResource>(client, "POST", path, { body });
// LIST items carry no apiVersion/kind: put them back so assessHealth knows these are Pods.
const listPods = async () =>
  (await kubeRequest<{ items: KubeResource[] }>(client, "GET", `/api/v1/namespaces/${ns}/pods`)).items.map((p) => ({ apiVersion: "v1", kind: "Pod", ...p }));

/** Polls until check passes (or WAIT_MS), recording every status seen. */
async function until(assess: () => Promise<Health>, check: (h: Health) => boolean, seen: HealthStatus[] = []): Promise<Health> {
  return eventually(
    async () => {
      const h = await assess();
      seen.push(h.status);
      return h;
    },
    check,
    WAIT_MS,
  );
}

function deployment(name: string, replicas: number, annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}): KubeResource {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations },
        spec: { containers: [{ name: "web", image: "registry.example/web:1.0", ports: [{ containerPort: 8080 }] }] },
      },
      ...spec,
    },
  };
}

const deployments = `/apis/apps/v1/namespaces/${ns}/deployments`;
const withPods = (name: string) => async () => assessWorkloadWithPods(await get(`${deployments}/${name}`), await listPods());

describe("health on the test bed", () => {
  it("a Deployment is Progressing while its pods start, then Healthy", { timeout: 90_000 }, async () => {
    const created = await create(deployments, deployment("web", 2, { "testbed.tideline.dev/start-delay": "2s" }));
    const seen: HealthStatus[] = [assessHealth(created).status];
    const h = await until(
      async () => assessHealth(await get(`${deployments}/web`)),
      (h) => h.status === "Healthy",
      seen,
    );
    expect(h).toEqual({ status: "Healthy", message: "2 of 2 replicas available" });
    expect(seen).toContain("Progressing");
    expect(seen.filter((s) => s !== "Progressing" && s !== "Healthy")).toEqual([]);
    expect(await withPods("web")()).toEqual(h);
    const pods = (await listPods()).filter((p) => p.metadata?.labels?.app === "web");
    expect(pods.map((p) => assessHealth(p))).toEqual([
      { status: "Healthy", message: "running and ready" },
      { status: "Healthy", message: "running and ready" },
    ]);
  });

  it("a crash-looping Deployment is Degraded with CrashLoopBackOff once its pods are considered", { timeout: 90_000 }, async () => {
    await create(deployments, deployment("crash", 1, { "testbed.tideline.dev/fail": "crashloop" }));
    const h = await until(withPods("crash"), (h) => h.status === "Degraded");
    expect(h.status).toBe("Degraded");
    expect(h.message).toMatch(
      /^pod crash-[a-z0-9]+-[a-z0-9]+: container web: CrashLoopBackOff \(back-off 5s restarting failed container; last exit: Error, code 1\)$/,
    );
    // The Deployment's own status only says it is not available yet (progress deadline 600 s).
    const own = await until(
      async () => assessHealth(await get(`${deployments}/crash`)),
      (h) => h.message === "0 of 1 replica available",
    );
    expect(own).toEqual({ status: "Progressing", message: "0 of 1 replica available" });
    const [pod] = (await listPods()).filter((p) => p.metadata?.labels?.app === "crash");
    expect(assessHealth(pod)).toMatchObject({ status: "Degraded", message: expect.stringContaining("container web: CrashLoopBackOff") });
  });

  it("an image pull failure is Degraded with ErrImagePull / ImagePullBackOff", { timeout: 90_000 }, async () => {
    await create(deployments, deployment("pull", 2, { "testbed.tideline.dev/fail": "imagepull" }));
    const h = await until(withPods("pull"), (h) => h.status === "Degraded" && h.message.includes("more failing"));
    expect(h.status).toBe("Degraded");
    expect(h.message).toMatch(
      /^pod pull-\S+: container web: (ErrImagePull|ImagePullBackOff) \(Back-off pulling image "registry.example\/web:1.0": testbed simulated pull failure\) \(\+1 more failing pod\)$/,
    );
    expect(assessHealth(await get(`${deployments}/pull`)).status).toBe("Progressing");
  });

  it("a Deployment past its progress deadline is Degraded on its own status", { timeout: 90_000 }, async () => {
    await create(deployments, deployment("stuck", 1, { "testbed.tideline.dev/fail": "crashloop" }, { progressDeadlineSeconds: 3 }));
    const h = await until(
      async () => assessHealth(await get(`${deployments}/stuck`)),
      (h) => h.status === "Degraded",
    );
    expect(h).toEqual({ status: "Degraded", message: expect.stringMatching(/^ProgressDeadlineExceeded: ReplicaSet "stuck-\w+" has timed out progressing\.$/) });
  });

  it("a Job that completes is Healthy; one that fails is Degraded with the backoff reason", { timeout: 90_000 }, async () => {
    const jobs = `/apis/batch/v1/namespaces/${ns}/jobs`;
    const job = (name: string, annotations: Record<string, string>): KubeResource => ({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name },
      spec: {
        backoffLimit: 0,
        template: { metadata: { annotations }, spec: { restartPolicy: "Never", containers: [{ name: "task", image: "registry.example/task:1.0" }] } },
      },
    });
    const seen: HealthStatus[] = [assessHealth(await create(jobs, job("done", { "testbed.tideline.dev/run-for": "2s" }))).status];
    await create(jobs, job("broken", { "testbed.tideline.dev/fail": "error" }));

    const done = await until(
      async () => assessHealth(await get(`${jobs}/done`)),
      (h) => h.status === "Healthy",
      seen,
    );
    expect(done).toEqual({ status: "Healthy", message: "completed (1 pod succeeded)" });
    expect(seen[0]).toBe("Progressing");

    const broken = await until(
      async () => assessHealth(await get(`${jobs}/broken`)),
      (h) => h.status === "Degraded",
    );
    expect(broken).toEqual({ status: "Degraded", message: "BackoffLimitExceeded: Job has reached the specified backoff limit" });
    // Its failed pod is history: the Job's own condition carries the verdict.
    expect(assessWorkloadWithPods(await get(`${jobs}/broken`), await listPods())).toEqual(broken);
    const failedPod = (await listPods()).find((p) => p.metadata?.labels?.["job-name"] === "broken");
    expect(assessHealth(failedPod)).toEqual({ status: "Degraded", message: "container task: Error (exit code 1)" });
  });

  it("a PVC stays Pending without a provisioner: Progressing", { timeout: 30_000 }, async () => {
    const pvcs = `/api/v1/namespaces/${ns}/persistentvolumeclaims`;
    await create(pvcs, {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    });
    await new Promise((r) => setTimeout(r, 2_000));
    const h = assessHealth(await get(`${pvcs}/data`));
    expect(h.status).toBe("Progressing");
    expect(h.message).toContain("Pending");
  });

  it("StatefulSet, DaemonSet, Service, CronJob and Namespace as the controllers report them", { timeout: 90_000 }, async () => {
    const apps = `/apis/apps/v1/namespaces/${ns}`;
    const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `registry.example/${app}:1.0` }] } });
    await create(`${apps}/statefulsets`, {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db" },
      spec: { replicas: 2, serviceName: "db", selector: { matchLabels: { app: "db" } }, template: template("db") },
    });
    await create(`${apps}/daemonsets`, {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent" },
      spec: { selector: { matchLabels: { app: "agent" } }, template: template("agent") },
    });
    const lb = await create(`/api/v1/namespaces/${ns}/services`, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "edge" },
      spec: { type: "LoadBalancer", selector: { app: "web" }, ports: [{ port: 80 }] },
    });
    const svc = await create(`/api/v1/namespaces/${ns}/services`, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "db" },
      spec: { selector: { app: "db" }, ports: [{ port: 5432 }] },
    });
    const cron = await create(`/apis/batch/v1/namespaces/${ns}/cronjobs`, {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "nightly" },
      spec: {
        schedule: "0 3 * * *",
        suspend: true,
        jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "task", image: "registry.example/task:1.0" }] } } } },
      },
    });

    expect(
      await until(
        async () => assessHealth(await get(`${apps}/statefulsets/db`)),
        (h) => h.status === "Healthy",
      ),
    ).toEqual({ status: "Healthy", message: "2 of 2 replicas ready" });
    expect(
      await until(
        async () => assessHealth(await get(`${apps}/daemonsets/agent`)),
        (h) => h.status === "Healthy",
      ),
    ).toEqual({ status: "Healthy", message: "1 of 1 pod available" });
    expect(assessHealth(lb)).toEqual({ status: "Progressing", message: "waiting for a load balancer address" });
    expect(assessHealth(svc)).toEqual({ status: "Healthy", message: "ClusterIP service" });
    expect(assessHealth(cron)).toEqual({ status: "Suspended", message: "suspended" });
    expect(assessHealth(await get(`/api/v1/namespaces/${ns}`))).toEqual({ status: "Healthy", message: "active" });
    expect(assessHealth(await get(`/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`))).toEqual({
      status: "Healthy",
      message: "exists (no status to assess)",
    });
  });
});
