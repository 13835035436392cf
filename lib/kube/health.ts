// Health of live Kubernetes objects, after the kstatus rules (sigs.k8s.io/cli-utils/pkg/kstatus)
// in the vocabulary Argo CD users know: Healthy, Progressing, Degraded, Suspended, Missing, Unknown.
// Pure functions over plain API objects: no I/O, no clock.
//
// The object's apiVersion and kind must be set (items of a LIST response carry neither).
// Built-in kinds have one assessor each (ASSESSORS below); any other kind is judged by its
// status.conditions (Stalled / Reconciling / Ready), and objects without status are Healthy.

export type HealthStatus = "Healthy" | "Progressing" | "Degraded" | "Suspended" | "Missing" | "Unknown";

export interface Health {
  status: HealthStatus;
  message: string;
}

/** Any Kubernetes object as returned by the API server (a KubeObject fits). */
export interface KubeResource {
  apiVersion?: string;
  kind?: string;
  metadata?: any;
  spec?: any;
  status?: any;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

type Assessor = (obj: KubeResource) => Health;

const health =
  (status: HealthStatus) =>
  (message: string): Health => ({ status, message });
const healthy = health("Healthy");
const progressing = health("Progressing");
const degraded = health("Degraded");
const suspended = health("Suspended");

export function assessHealth(obj: KubeResource | null | undefined): Health {
  if (!obj) return health("Missing")("not found in the cluster");
  if (obj.metadata?.deletionTimestamp) {
    const finalizers = stringList(obj.metadata.finalizers);
    return progressing(finalizers.length ? `being deleted (waiting for finalizers: ${finalizers.join(", ")})` : "being deleted");
  }
  const generation = num(obj.metadata?.generation);
  const observed = num(obj.status?.observedGeneration);
  if (generation !== undefined && observed !== undefined && observed < generation) {
    return progressing(`controller has not observed generation ${generation} yet`);
  }
  return assessorFor(obj)(obj);
}

/**
 * The workload's own health, except that a live pod it owns or selects with a failing
 * container (CrashLoopBackOff, ImagePullBackOff, OOMKilled, ...) makes it Degraded with
 * that reason: a Deployment whose pods crash otherwise just stays Progressing.
 * Finished pods (Succeeded/Failed) are history and are left to the workload's status.
 */
export function assessWorkloadWithPods(workload: KubeResource | null | undefined, pods: readonly KubeResource[]): Health {
  const own = assessHealth(workload);
  if (!workload || own.status === "Missing" || workload.metadata?.deletionTimestamp) return own;
  const problems: string[] = [];
  for (const pod of pods) {
    if (!belongsTo(pod, workload)) continue;
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed" || pod.metadata?.deletionTimestamp) continue;
    const problem = containerProblem(pod);
    if (problem) problems.push(`pod ${pod.metadata?.name ?? "?"}: ${problem}`);
  }
  if (!problems.length) return own;
  return degraded(problems.length === 1 ? problems[0]! : `${problems[0]} (+${problems.length - 1} more failing ${problems.length === 2 ? "pod" : "pods"})`);
}

// ---- one assessor per kind --------------------------------------------------------------

function assessDeployment(d: KubeResource): Health {
  if (d.spec?.paused === true) return suspended("rollout paused");
  const progress = condition(d, "Progressing");
  if (progress?.reason === "ProgressDeadlineExceeded") return degraded(describe(progress) || "progress deadline exceeded");
  const want = num(d.spec?.replicas) ?? 1;
  const total = count(d.status?.replicas);
  const updated = count(d.status?.updatedReplicas);
  const available = count(d.status?.availableReplicas);
  if (updated < want) return progressing(`${updated} of ${replicas(want)} updated`);
  if (total > updated) return progressing(`${plural(total - updated, "old replica")} pending termination`);
  if (total > want) return progressing(`scaling down: ${total} replicas, ${want} desired`);
  if (available < updated) return progressing(`${available} of ${replicas(updated)} available`);
  return healthy(`${available} of ${replicas(want)} available`);
}

function assessStatefulSet(s: KubeResource): Health {
  const want = num(s.spec?.replicas) ?? 1;
  const ready = count(s.status?.readyReplicas);
  if (count(s.status?.replicas) < want) return progressing(`${count(s.status?.replicas)} of ${replicas(want)} created`);
  if (ready < want) return progressing(`${ready} of ${replicas(want)} ready`);
  const strategy = s.spec?.updateStrategy;
  if (strategy?.type === "OnDelete") return healthy(`${ready} of ${replicas(want)} ready (OnDelete updates)`);
  const partition = num(strategy?.rollingUpdate?.partition) ?? 0;
  if (partition > 0) {
    const expected = Math.max(0, want - partition);
    const updated = count(s.status?.updatedReplicas);
    if (updated < expected) return progressing(`${updated} of ${replicas(expected)} updated (partition ${partition})`);
    return healthy(`partitioned rollout complete: ${updated} of ${replicas(want)} updated`);
  }
  if (s.status?.updateRevision && s.status.currentRevision !== s.status.updateRevision) {
    return progressing(`rolling out revision ${s.status.updateRevision}: ${count(s.status?.updatedReplicas)} of ${replicas(want)} updated`);
  }
  return healthy(`${ready} of ${replicas(want)} ready`);
}

function assessDaemonSet(d: KubeResource): Health {
  const desired = num(d.status?.desiredNumberScheduled);
  if (desired === undefined) return progressing("waiting for the controller to schedule pods");
  const updated = count(d.status?.updatedNumberScheduled);
  const available = count(d.status?.numberAvailable);
  if (d.spec?.updateStrategy?.type !== "OnDelete" && updated < desired) return progressing(`${updated} of ${pods(desired)} updated`);
  if (available < desired) return progressing(`${available} of ${pods(desired)} available`);
  return healthy(`${available} of ${pods(desired)} available`);
}

function assessReplicaSet(r: KubeResource): Health {
  const want = num(r.spec?.replicas) ?? 1;
  const available = count(r.status?.availableReplicas);
  const failure = condition(r, "ReplicaFailure");
  if (failure?.status === "True") return progressing(describe(failure) || "failed to create replicas");
  if (available < want) return progressing(`${available} of ${replicas(want)} available`);
  return healthy(`${available} of ${replicas(want)} available`);
}

function assessPod(p: KubeResource): Health {
  const phase: unknown = p.status?.phase;
  if (phase === "Succeeded") return healthy("completed");
  if (phase === "Failed") {
    const why = p.status?.reason ? [p.status.reason, p.status.message].filter(Boolean).join(": ") : p.status?.message;
    return degraded(why || containerProblem(p) || "failed");
  }
  if (phase === "Unknown") return health("Unknown")(p.status?.message || "the node stopped reporting the pod's state");
  const problem = containerProblem(p);
  if (problem) return degraded(problem);
  const ready = condition(p, "Ready");
  if (phase === "Running" && ready?.status === "True") return healthy("running and ready");
  if (phase === "Running") {
    const statuses = containerStatuses(p.status?.containerStatuses);
    return progressing(`running, ${statuses.filter((c) => c.ready === true).length} of ${plural(statuses.length, "container")} ready`);
  }
  const scheduled = condition(p, "PodScheduled");
  if (scheduled?.status === "False") return progressing(`Pending: ${describe(scheduled) || "not scheduled"}`);
  const waiting = containerStatuses(p.status?.containerStatuses)
    .map((c) => c.state?.waiting?.reason)
    .find((r): r is string => typeof r === "string");
  return progressing(waiting ? `Pending: ${waiting}` : "Pending");
}

function assessJob(j: KubeResource): Health {
  const failed = condition(j, "Failed") ?? condition(j, "FailureTarget");
  if (failed?.status === "True") return degraded(describe(failed) || "job failed");
  if (condition(j, "Complete")?.status === "True") return healthy(`completed (${plural(count(j.status?.succeeded), "pod")} succeeded)`);
  if (j.spec?.suspend === true) return suspended("suspended");
  const completions = num(j.spec?.completions);
  const parts = [completions === undefined ? `${count(j.status?.succeeded)} succeeded` : `${count(j.status?.succeeded)} of ${completions} completed`];
  if (count(j.status?.active)) parts.push(`${count(j.status?.active)} active`);
  if (count(j.status?.failed)) parts.push(`${count(j.status?.failed)} failed`);
  return progressing(`running: ${parts.join(", ")}`);
}

function assessCronJob(c: KubeResource): Health {
  if (c.spec?.suspend === true) return suspended("suspended");
  const active = Array.isArray(c.status?.active) ? c.status.active.length : 0;
  return healthy(`schedule "${c.spec?.schedule ?? "?"}"${active ? `, ${plural(active, "active job")}` : ""}`);
}

function assessPersistentVolumeClaim(c: KubeResource): Health {
  const phase: unknown = c.status?.phase;
  if (phase === "Bound") return healthy(c.spec?.volumeName ? `bound to volume ${c.spec.volumeName}` : "bound");
  if (phase === "Lost") return degraded(`Lost: the bound volume${c.spec?.volumeName ? ` ${c.spec.volumeName}` : ""} no longer exists`);
  return progressing(`Pending: waiting for a volume${c.spec?.storageClassName ? ` of storage class ${c.spec.storageClassName}` : ""}`);
}

function assessService(s: KubeResource): Health {
  const type: string = s.spec?.type ?? "ClusterIP";
  if (type !== "LoadBalancer") return healthy(`${type} service`);
  const address = loadBalancerAddress(s);
  return address ? healthy(`load balancer at ${address}`) : progressing("waiting for a load balancer address");
}

function assessIngress(i: KubeResource): Health {
  const address = loadBalancerAddress(i);
  return address ? healthy(`address ${address}`) : progressing("waiting for an ingress controller to assign an address");
}

function assessHorizontalPodAutoscaler(h: KubeResource): Health {
  const able = condition(h, "AbleToScale");
  if (able?.status === "False") return degraded(describe(able) || "unable to scale");
  const active = condition(h, "ScalingActive");
  if (active?.status === "False" && /^(Failed|Invalid)/.test(active.reason ?? "")) return degraded(describe(active));
  const bounds = `min ${num(h.spec?.minReplicas) ?? 1}, max ${num(h.spec?.maxReplicas) ?? "?"}`;
  return healthy(`${replicas(count(h.status?.currentReplicas))} (${bounds})`);
}

function assessNamespace(n: KubeResource): Health {
  return n.status?.phase === "Terminating" ? progressing("terminating") : healthy("active");
}

function assessCustomResourceDefinition(c: KubeResource): Health {
  const names = condition(c, "NamesAccepted");
  if (names?.status === "False") return degraded(describe(names) || "names not accepted");
  return condition(c, "Established")?.status === "True" ? healthy("established") : progressing("waiting to be established");
}

/** Custom resources and anything else: the Stalled / Reconciling / Ready conditions convention. */
function assessByConditions(obj: KubeResource): Health {
  if (!obj.status || typeof obj.status !== "object") return healthy("exists (no status to assess)");
  const stalled = condition(obj, "Stalled");
  if (stalled?.status === "True") return degraded(describe(stalled) || "stalled");
  const reconciling = condition(obj, "Reconciling");
  if (reconciling?.status === "True") return progressing(describe(reconciling) || "reconciling");
  const ready = condition(obj, "Ready");
  if (!ready) return healthy("no health conditions reported");
  if (ready.status === "True") return healthy(ready.message || "ready");
  if (ready.status === "False" && !PROGRESS_REASON.test(ready.reason ?? "")) return degraded(describe(ready) || "not ready");
  return progressing(describe(ready) || "not ready yet");
}

// Ready=False with one of these reasons means "still working on it", not "broken".
const PROGRESS_REASON = /progress|reconcil|pending|waiting|creating|provisioning|initializ/i;

const ASSESSORS = new Map<string, { groups: readonly string[]; assess: Assessor }>([
  ["Deployment", { groups: ["apps", "extensions"], assess: assessDeployment }],
  ["StatefulSet", { groups: ["apps"], assess: assessStatefulSet }],
  ["DaemonSet", { groups: ["apps", "extensions"], assess: assessDaemonSet }],
  ["ReplicaSet", { groups: ["apps", "extensions"], assess: assessReplicaSet }],
  ["Pod", { groups: [""], assess: assessPod }],
  ["Job", { groups: ["batch"], assess: assessJob }],
  ["CronJob", { groups: ["batch"], assess: assessCronJob }],
  ["PersistentVolumeClaim", { groups: [""], assess: assessPersistentVolumeClaim }],
  ["Service", { groups: [""], assess: assessService }],
  ["Ingress", { groups: ["networking.k8s.io", "extensions"], assess: assessIngress }],
  ["HorizontalPodAutoscaler", { groups: ["autoscaling"], assess: assessHorizontalPodAutoscaler }],
  ["Namespace", { groups: [""], assess: assessNamespace }],
  ["CustomResourceDefinition", { groups: ["apiextensions.k8s.io"], assess: assessCustomResourceDefinition }],
]);

function assessorFor(obj: KubeResource): Assessor {
  const entry = obj.kind ? ASSESSORS.get(obj.kind) : undefined;
  if (!entry) return assessByConditions;
  const apiVersion = obj.apiVersion;
  const group = apiVersion === undefined ? undefined : apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  return group === undefined || entry.groups.includes(group) ? entry.assess : assessByConditions;
}

// ---- pods and containers ----------------------------------------------------------------

interface ContainerStatus {
  name?: string;
  ready?: boolean;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: Terminated };
  lastState?: { terminated?: Terminated };
}
interface Terminated {
  reason?: string;
  message?: string;
  exitCode?: number;
}

// Waiting reasons that mean the container cannot run (as Argo CD: Err*, Invalid*, *Error, *BackOff);
// ContainerCreating and PodInitializing are not among them.
const FAILING_WAITING_REASON = /^(Err|Invalid)|(Error|BackOff)$/;

/** "container web: CrashLoopBackOff (...)" for the first failing (init) container of a pod. */
function containerProblem(pod: KubeResource): string | undefined {
  const groups: [string, ContainerStatus[]][] = [
    ["init container", containerStatuses(pod.status?.initContainerStatuses)],
    ["container", containerStatuses(pod.status?.containerStatuses)],
  ];
  for (const [label, statuses] of groups) {
    for (const c of statuses) {
      const who = `${label} ${c.name ?? "?"}`;
      const waiting = c.state?.waiting;
      if (waiting?.reason && FAILING_WAITING_REASON.test(waiting.reason)) {
        const details = [shorten(waiting.message), lastExit(c.lastState?.terminated)].filter(Boolean);
        return `${who}: ${waiting.reason}${details.length ? ` (${details.join("; ")})` : ""}`;
      }
      const terminated = c.state?.terminated;
      if (terminated && (terminated.reason === "OOMKilled" || (terminated.exitCode ?? 0) !== 0)) {
        return `${who}: ${terminated.reason ?? "terminated"} (exit code ${terminated.exitCode ?? "?"})`;
      }
    }
  }
  return undefined;
}

function lastExit(t: Terminated | undefined): string | undefined {
  if (!t || (t.exitCode === 0 && t.reason !== "OOMKilled")) return undefined;
  return `last exit: ${t.reason ?? "terminated"}, code ${t.exitCode ?? "?"}`;
}

/** Kubelet messages end in "container=web pod=web-abc_ns(uid)" and image errors can be long. */
function shorten(message: string | undefined): string | undefined {
  if (!message) return undefined;
  const m = message.replace(/ container=\S+ pod=\S+$/, " container").trim();
  return m.length > 160 ? `${m.slice(0, 159)}…` : m;
}

function containerStatuses(v: unknown): ContainerStatus[] {
  return Array.isArray(v) ? v.filter((c): c is ContainerStatus => !!c && typeof c === "object") : [];
}

/** Owned by the workload (ownerReference uid), or matched by its spec.selector in the same namespace. */
function belongsTo(pod: KubeResource, workload: KubeResource): boolean {
  const uid = workload.metadata?.uid;
  const owners: unknown = pod.metadata?.ownerReferences;
  if (uid && Array.isArray(owners) && owners.some((o) => o?.uid === uid)) return true;
  if ((workload.metadata?.namespace ?? "") !== (pod.metadata?.namespace ?? "")) return false;
  return selectorMatches(workload.spec?.selector, pod.metadata?.labels ?? {});
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  const matchLabels = Object.entries(selector?.matchLabels ?? {});
  const expressions = selector?.matchExpressions ?? [];
  if (!matchLabels.length && !expressions.length) return false; // no selector: select nothing rather than everything
  return (
    matchLabels.every(([k, v]) => labels[k] === v) &&
    expressions.every(({ key, operator, values = [] }) => {
      const value = labels[key];
      switch (operator) {
        case "In":
          return value !== undefined && values.includes(value);
        case "NotIn":
          return value === undefined || !values.includes(value);
        case "Exists":
          return value !== undefined;
        case "DoesNotExist":
          return value === undefined;
        default:
          return false;
      }
    })
  );
}

// ---- small helpers -------------------------------------------------------------------

function condition(obj: KubeResource, type: string): Condition | undefined {
  const conditions: unknown = obj.status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  return conditions.find((c): c is Condition => !!c && typeof c === "object" && c.type === type);
}

function describe(c: Condition): string {
  return c.reason && c.message ? `${c.reason}: ${c.message}` : c.message || c.reason || "";
}

function loadBalancerAddress(obj: KubeResource): string | undefined {
  const ingress: unknown = obj.status?.loadBalancer?.ingress;
  if (!Array.isArray(ingress) || !ingress.length) return undefined;
  const first = ingress[0] as { ip?: string; hostname?: string } | undefined;
  return first?.hostname || first?.ip || "assigned";
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function count(v: unknown): number {
  return num(v) ?? 0;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const replicas = (n: number) => plural(n, "replica");
const pods = (n: number) => plural(n, "pod");
