// Health assessment rules (kstatus, in Argo CD's vocabulary), one row per rule, on object
// shapes as the API server returns them.
import { describe, expect, it } from "vitest";
import { assessHealth, assessWorkloadWithPods, type HealthStatus, type KubeResource } from "../../lib/kube/health";
import type { KubeObject } from "../../lib/kube/watch-stream";

const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: "shop",
  uid: `uid-${name}`,
  generation: 2,
  creationTimestamp: "2025-01-01T00:00:00Z",
  ...extra,
});

const cond = (type: string, status: string, reason?: string, message?: string) => ({
  type,
  status,
  lastTransitionTime: "2025-01-01T00:00:05Z",
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

function deployment(spec: Record<string, unknown>, status: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeResource {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("web", metadata),
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
      progressDeadlineSeconds: 600,
      ...spec,
    },
    status: { observedGeneration: 2, ...status },
  };
}
const deploymentComplete = [
  cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
  cond("Progressing", "True", "NewReplicaSetAvailable", 'ReplicaSet "web-7d9c8b6f5" has successfully progressed.'),
];

type ContainerState = Record<string, unknown>;
function pod(
  phase: string,
  opts: {
    ready?: boolean;
    containers?: Record<string, unknown>[];
    init?: Record<string, unknown>[];
    conditions?: unknown[];
    extra?: Record<string, unknown>;
    labels?: Record<string, string>;
    name?: string;
  } = {},
): KubeResource {
  const ready = opts.ready ?? false;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...meta(opts.name ?? "web-7d9c8b6f5-x2k9p", { generation: 1 }),
      labels: opts.labels ?? { app: "web", "pod-template-hash": "7d9c8b6f5" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d9c8b6f5", uid: "uid-rs", controller: true }],
    },
    spec: { containers: [{ name: "web", image: "nginx:1.27" }], restartPolicy: "Always", nodeName: "node-1" },
    status: {
      phase,
      conditions: opts.conditions ?? [
        cond("Initialized", "True"),
        cond("Ready", ready ? "True" : "False", ready ? undefined : "ContainersNotReady"),
        cond("PodScheduled", "True"),
      ],
      containerStatuses: opts.containers ?? [
        { name: "web", image: "nginx:1.27", ready, restartCount: 0, state: { running: { startedAt: "2025-01-01T00:00:03Z" } } },
      ],
      ...(opts.init ? { initContainerStatuses: opts.init } : {}),
      ...opts.extra,
    },
  };
}
const container = (state: ContainerState, extra: Record<string, unknown> = {}) => ({
  name: "web",
  image: "nginx:1.27",
  ready: false,
  restartCount: 0,
  state,
  ...extra,
});
const crashLooping = container(
  { waiting: { reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container=web pod=web-7d9c8b6f5-x2k9p_shop(0b6c)" } },
  { restartCount: 7, lastState: { terminated: { exitCode: 1, reason: "Error", startedAt: "2025-01-01T00:05:00Z", finishedAt: "2025-01-01T00:05:01Z" } } },
);

function job(spec: Record<string, unknown>, status: Record<string, unknown>): KubeResource {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { ...meta("migrate", { generation: 1 }), labels: { "batch.kubernetes.io/job-name": "migrate" } },
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      suspend: false,
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "uid-migrate" } },
      template: {},
      ...spec,
    },
    status,
  };
}

interface Case {
  name: string;
  obj: KubeResource | null | undefined;
  status: HealthStatus;
  message: string | RegExp;
}

const cases: Case[] = [
  // generic
  { name: "null is Missing", obj: null, status: "Missing", message: "not found in the cluster" },
  { name: "undefined is Missing", obj: undefined, status: "Missing", message: "not found" },
  {
    name: "deletionTimestamp set: Progressing, names finalizers",
    obj: { apiVersion: "v1", kind: "ConfigMap", metadata: meta("cfg", { deletionTimestamp: "2025-01-01T00:10:00Z", finalizers: ["example.com/cleanup"] }) },
    status: "Progressing",
    message: "being deleted (waiting for finalizers: example.com/cleanup)",
  },
  {
    name: "observedGeneration behind generation: Progressing",
    obj: deployment(
      {},
      { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 2, conditions: deploymentComplete },
      { generation: 3 },
    ),
    status: "Progressing",
    message: "controller has not observed generation 3 yet",
  },

  // Deployment
  {
    name: "Deployment paused: Suspended",
    obj: deployment(
      { paused: true },
      { replicas: 3, updatedReplicas: 1, availableReplicas: 3, conditions: [cond("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused")] },
    ),
    status: "Suspended",
    message: "paused",
  },
  {
    name: "Deployment past its progress deadline: Degraded",
    obj: deployment(
      {},
      {
        replicas: 3,
        updatedReplicas: 3,
        availableReplicas: 0,
        unavailableReplicas: 3,
        conditions: [
          cond("Available", "False", "MinimumReplicasUnavailable"),
          cond("Progressing", "False", "ProgressDeadlineExceeded", 'ReplicaSet "web-7d9c8b6f5" has timed out progressing.'),
        ],
      },
    ),
    status: "Degraded",
    message: 'ProgressDeadlineExceeded: ReplicaSet "web-7d9c8b6f5" has timed out progressing.',
  },
  {
    name: "Deployment just created (empty status): Progressing",
    obj: deployment({ replicas: 2 }, { observedGeneration: undefined }, { generation: 1 }),
    status: "Progressing",
    message: "0 of 2 replicas updated",
  },
  {
    name: "Deployment rolling out: Progressing, n of m updated",
    obj: deployment(
      {},
      {
        replicas: 4,
        updatedReplicas: 1,
        readyReplicas: 3,
        availableReplicas: 3,
        unavailableReplicas: 1,
        conditions: [cond("Progressing", "True", "ReplicaSetUpdated")],
      },
    ),
    status: "Progressing",
    message: "1 of 3 replicas updated",
  },
  {
    name: "Deployment with old replicas left: Progressing",
    obj: deployment(
      {},
      { replicas: 4, updatedReplicas: 3, readyReplicas: 4, availableReplicas: 4, conditions: [cond("Progressing", "True", "ReplicaSetUpdated")] },
    ),
    status: "Progressing",
    message: "1 old replica pending termination",
  },
  {
    name: "Deployment scaling down: Progressing",
    obj: deployment({ replicas: 2 }, { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: deploymentComplete }),
    status: "Progressing",
    message: "scaling down: 3 replicas, 2 desired",
  },
  {
    name: "Deployment updated but not yet available: Progressing",
    obj: deployment(
      {},
      {
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 2,
        availableReplicas: 2,
        unavailableReplicas: 1,
        conditions: [cond("Progressing", "True", "ReplicaSetUpdated")],
      },
    ),
    status: "Progressing",
    message: "2 of 3 replicas available",
  },
  {
    name: "Deployment complete: Healthy",
    obj: deployment({}, { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: deploymentComplete }),
    status: "Healthy",
    message: "3 of 3 replicas available",
  },
  {
    name: "Deployment replicas default to 1",
    obj: deployment({ replicas: undefined }, { replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, conditions: deploymentComplete }),
    status: "Healthy",
    message: "1 of 1 replica available",
  },
  {
    name: "Deployment scaled to zero: Healthy",
    obj: deployment({ replicas: 0 }, { conditions: deploymentComplete }),
    status: "Healthy",
    message: "0 of 0 replicas available",
  },

  // StatefulSet
  ...(() => {
    const sts = (spec: Record<string, unknown>, status: Record<string, unknown>): KubeResource => ({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: meta("db"),
      spec: {
        replicas: 3,
        serviceName: "db",
        selector: { matchLabels: { app: "db" } },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } },
        ...spec,
      },
      status: {
        observedGeneration: 2,
        replicas: 3,
        currentReplicas: 3,
        updatedReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
        currentRevision: "db-5c9d7f",
        updateRevision: "db-5c9d7f",
        collisionCount: 0,
        ...status,
      },
    });
    return [
      {
        name: "StatefulSet starting: Progressing, n of m ready",
        obj: sts({}, { readyReplicas: 1, availableReplicas: 1 }),
        status: "Progressing",
        message: "1 of 3 replicas ready",
      },
      {
        name: "StatefulSet with pods not yet created: Progressing",
        obj: sts({}, { replicas: 2, readyReplicas: 2 }),
        status: "Progressing",
        message: "2 of 3 replicas created",
      },
      {
        name: "StatefulSet revision rolling out: Progressing",
        obj: sts({}, { updatedReplicas: 1, currentReplicas: 2, updateRevision: "db-6f8a1b" }),
        status: "Progressing",
        message: "rolling out revision db-6f8a1b: 1 of 3 replicas updated",
      },
      {
        name: "StatefulSet partitioned rollout in progress: Progressing",
        obj: sts({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } }, { updatedReplicas: 1, updateRevision: "db-6f8a1b" }),
        status: "Progressing",
        message: "1 of 2 replicas updated (partition 1)",
      },
      {
        name: "StatefulSet partitioned rollout complete: Healthy",
        obj: sts({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } }, { updatedReplicas: 2, updateRevision: "db-6f8a1b" }),
        status: "Healthy",
        message: "partitioned rollout complete",
      },
      {
        name: "StatefulSet OnDelete with old revisions: Healthy",
        obj: sts({ updateStrategy: { type: "OnDelete" } }, { updatedReplicas: 0, updateRevision: "db-6f8a1b" }),
        status: "Healthy",
        message: "OnDelete",
      },
      { name: "StatefulSet all ready on one revision: Healthy", obj: sts({}, {}), status: "Healthy", message: "3 of 3 replicas ready" },
    ] satisfies Case[];
  })(),

  // DaemonSet
  ...(() => {
    const ds = (status: Record<string, unknown>, strategy = "RollingUpdate"): KubeResource => ({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: meta("agent"),
      spec: { selector: { matchLabels: { app: "agent" } }, updateStrategy: { type: strategy } },
      status: {
        observedGeneration: 2,
        currentNumberScheduled: 3,
        numberMisscheduled: 0,
        desiredNumberScheduled: 3,
        numberReady: 3,
        updatedNumberScheduled: 3,
        numberAvailable: 3,
        ...status,
      },
    });
    return [
      {
        name: "DaemonSet without desiredNumberScheduled: Progressing",
        obj: ds({ desiredNumberScheduled: undefined }),
        status: "Progressing",
        message: "waiting for the controller",
      },
      { name: "DaemonSet updating: Progressing", obj: ds({ updatedNumberScheduled: 1 }), status: "Progressing", message: "1 of 3 pods updated" },
      {
        name: "DaemonSet pods not yet available: Progressing",
        obj: ds({ numberAvailable: 2, numberReady: 2 }),
        status: "Progressing",
        message: "2 of 3 pods available",
      },
      {
        name: "DaemonSet OnDelete with old pods: Healthy",
        obj: ds({ updatedNumberScheduled: 0 }, "OnDelete"),
        status: "Healthy",
        message: "3 of 3 pods available",
      },
      {
        name: "DaemonSet on no nodes: Healthy",
        obj: ds({ desiredNumberScheduled: 0, currentNumberScheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0 }),
        status: "Healthy",
        message: "0 of 0 pods available",
      },
      { name: "DaemonSet everywhere: Healthy", obj: ds({}), status: "Healthy", message: "3 of 3 pods available" },
    ] satisfies Case[];
  })(),

  // ReplicaSet
  ...(() => {
    const rs = (status: Record<string, unknown>): KubeResource => ({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: meta("web-7d9c8b6f5"),
      spec: { replicas: 2, selector: { matchLabels: { app: "web", "pod-template-hash": "7d9c8b6f5" } } },
      status: { observedGeneration: 2, replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, ...status },
    });
    return [
      {
        name: "ReplicaSet not all available: Progressing",
        obj: rs({ readyReplicas: 1, availableReplicas: 1 }),
        status: "Progressing",
        message: "1 of 2 replicas available",
      },
      {
        name: "ReplicaSet ReplicaFailure (quota): Progressing with the reason",
        obj: rs({
          replicas: 0,
          availableReplicas: 0,
          conditions: [cond("ReplicaFailure", "True", "FailedCreate", 'pods "web-7d9c8b6f5-abcde" is forbidden: exceeded quota: pods')],
        }),
        status: "Progressing",
        message: "FailedCreate: pods",
      },
      { name: "ReplicaSet all available: Healthy", obj: rs({}), status: "Healthy", message: "2 of 2 replicas available" },
    ] satisfies Case[];
  })(),

  // Pod
  {
    name: "Pod Succeeded: Healthy",
    obj: pod("Succeeded", { containers: [container({ terminated: { exitCode: 0, reason: "Completed" } })] }),
    status: "Healthy",
    message: "completed",
  },
  {
    name: "Pod Failed (evicted): Degraded with reason",
    obj: pod("Failed", { extra: { reason: "Evicted", message: "The node was low on resource: memory." } }),
    status: "Degraded",
    message: "Evicted: The node was low on resource: memory.",
  },
  {
    name: "Pod Failed (container exit): Degraded with the container",
    obj: pod("Failed", { containers: [container({ terminated: { exitCode: 2, reason: "Error" } })] }),
    status: "Degraded",
    message: "container web: Error (exit code 2)",
  },
  {
    name: "Pod CrashLoopBackOff: Degraded with reason, short kubelet message and last exit",
    obj: pod("Running", { containers: [crashLooping] }),
    status: "Degraded",
    message: "container web: CrashLoopBackOff (back-off 5m0s restarting failed container; last exit: Error, code 1)",
  },
  {
    name: "Pod OOMKilled in crash loop: last exit says OOMKilled",
    obj: pod("Running", {
      containers: [
        container(
          { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s restarting failed container=web pod=p_shop(1)" } },
          { restartCount: 2, lastState: { terminated: { exitCode: 137, reason: "OOMKilled" } } },
        ),
      ],
    }),
    status: "Degraded",
    message: "last exit: OOMKilled, code 137",
  },
  {
    name: "Pod container OOMKilled just now: Degraded",
    obj: pod("Running", { containers: [container({ terminated: { exitCode: 137, reason: "OOMKilled" } }, { restartCount: 1 })] }),
    status: "Degraded",
    message: "container web: OOMKilled (exit code 137)",
  },
  {
    name: "Pod ImagePullBackOff: Degraded",
    obj: pod("Pending", { containers: [container({ waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "nginx:nope"' } })] }),
    status: "Degraded",
    message: 'container web: ImagePullBackOff (Back-off pulling image "nginx:nope")',
  },
  {
    name: "Pod ErrImagePull: Degraded",
    obj: pod("Pending", { containers: [container({ waiting: { reason: "ErrImagePull", message: "failed to pull and unpack image" } })] }),
    status: "Degraded",
    message: "container web: ErrImagePull",
  },
  {
    name: "Pod CreateContainerConfigError: Degraded",
    obj: pod("Pending", { containers: [container({ waiting: { reason: "CreateContainerConfigError", message: 'secret "db-password" not found' } })] }),
    status: "Degraded",
    message: 'CreateContainerConfigError (secret "db-password" not found)',
  },
  {
    name: "Pod init container crash looping: Degraded naming the init container",
    obj: pod("Pending", { init: [{ ...crashLooping, name: "migrate" }], containers: [container({ waiting: { reason: "PodInitializing" } })] }),
    status: "Degraded",
    message: "init container migrate: CrashLoopBackOff",
  },
  {
    name: "Pod long image error message is shortened",
    obj: pod("Pending", { containers: [container({ waiting: { reason: "ErrImagePull", message: "x".repeat(400) } })] }),
    status: "Degraded",
    message: /\(x{159}…\)$/,
  },
  {
    name: "Pod Running and Ready: Healthy",
    obj: pod("Running", { ready: true, containers: [container({ running: { startedAt: "2025-01-01T00:00:03Z" } }, { ready: true })] }),
    status: "Healthy",
    message: "running and ready",
  },
  {
    name: "Pod Running, readiness failing: Progressing",
    obj: pod("Running", { ready: false }),
    status: "Progressing",
    message: "running, 0 of 1 container ready",
  },
  {
    name: "Pod ContainerCreating: Progressing",
    obj: pod("Pending", { containers: [container({ waiting: { reason: "ContainerCreating" } })] }),
    status: "Progressing",
    message: "Pending: ContainerCreating",
  },
  {
    name: "Pod unschedulable: Progressing with the scheduler's message",
    obj: pod("Pending", { containers: [], conditions: [cond("PodScheduled", "False", "Unschedulable", "0/3 nodes are available: 3 Insufficient cpu.")] }),
    status: "Progressing",
    message: "Pending: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.",
  },
  { name: "Pod phase Unknown: Unknown", obj: pod("Unknown"), status: "Unknown", message: "node stopped reporting" },

  // Job
  {
    name: "Job Failed: Degraded with the condition's message",
    obj: job(
      {},
      {
        failed: 7,
        conditions: [
          cond("FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
          cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
        ],
      },
    ),
    status: "Degraded",
    message: "BackoffLimitExceeded: Job has reached the specified backoff limit",
  },
  {
    name: "Job past its deadline: Degraded",
    obj: job({ activeDeadlineSeconds: 60 }, { conditions: [cond("Failed", "True", "DeadlineExceeded", "Job was active longer than specified deadline")] }),
    status: "Degraded",
    message: "DeadlineExceeded",
  },
  {
    name: "Job Complete: Healthy",
    obj: job(
      {},
      {
        succeeded: 1,
        completionTime: "2025-01-01T00:01:00Z",
        conditions: [
          cond("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
          cond("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
        ],
      },
    ),
    status: "Healthy",
    message: "completed (1 pod succeeded)",
  },
  {
    name: "Job suspended: Suspended",
    obj: job({ suspend: true }, { conditions: [cond("Suspended", "True", "JobSuspended", "Job suspended")] }),
    status: "Suspended",
    message: "suspended",
  },
  {
    name: "Job running: Progressing with counts",
    obj: job({ completions: 3, parallelism: 2 }, { active: 2, succeeded: 1, failed: 1, ready: 2 }),
    status: "Progressing",
    message: "running: 1 of 3 completed, 2 active, 1 failed",
  },
  { name: "Job not started yet: Progressing", obj: job({}, {}), status: "Progressing", message: "running: 0 of 1 completed" },

  // CronJob
  {
    name: "CronJob suspended: Suspended",
    obj: { apiVersion: "batch/v1", kind: "CronJob", metadata: meta("nightly"), spec: { schedule: "0 3 * * *", suspend: true, jobTemplate: {} }, status: {} },
    status: "Suspended",
    message: "suspended",
  },
  {
    name: "CronJob active: Healthy",
    obj: {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: meta("nightly"),
      spec: { schedule: "0 3 * * *", suspend: false, jobTemplate: {} },
      status: { active: [{ kind: "Job", name: "nightly-2900" }], lastScheduleTime: "2025-01-01T03:00:00Z" },
    },
    status: "Healthy",
    message: 'schedule "0 3 * * *", 1 active job',
  },

  // PersistentVolumeClaim
  ...(() => {
    const pvc = (phase: string | undefined, volumeName?: string): KubeResource => ({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: meta("data", { generation: undefined }),
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
        storageClassName: "standard",
        volumeMode: "Filesystem",
        ...(volumeName ? { volumeName } : {}),
      },
      status: phase ? { phase, ...(phase === "Bound" ? { accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } } : {}) } : undefined,
    });
    return [
      { name: "PVC Bound: Healthy", obj: pvc("Bound", "pvc-3f1c"), status: "Healthy", message: "bound to volume pvc-3f1c" },
      { name: "PVC Lost: Degraded", obj: pvc("Lost", "pvc-3f1c"), status: "Degraded", message: "Lost: the bound volume pvc-3f1c no longer exists" },
      { name: "PVC Pending: Progressing", obj: pvc("Pending"), status: "Progressing", message: "Pending" },
      {
        name: "PVC without status yet: Progressing",
        obj: pvc(undefined),
        status: "Progressing",
        message: "Pending: waiting for a volume of storage class standard",
      },
    ] satisfies Case[];
  })(),

  // Service
  ...(() => {
    const svc = (type: string | undefined, status: Record<string, unknown> = { loadBalancer: {} }): KubeResource => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("web", { generation: undefined }),
      spec: { ...(type ? { type } : {}), clusterIP: "10.96.12.7", ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }], selector: { app: "web" } },
      status,
    });
    return [
      {
        name: "Service LoadBalancer without address: Progressing",
        obj: svc("LoadBalancer"),
        status: "Progressing",
        message: "waiting for a load balancer address",
      },
      {
        name: "Service LoadBalancer with an IP: Healthy",
        obj: svc("LoadBalancer", { loadBalancer: { ingress: [{ ip: "203.0.113.10", ipMode: "VIP" }] } }),
        status: "Healthy",
        message: "load balancer at 203.0.113.10",
      },
      {
        name: "Service LoadBalancer with a hostname: Healthy",
        obj: svc("LoadBalancer", { loadBalancer: { ingress: [{ hostname: "a1b2.elb.amazonaws.com" }] } }),
        status: "Healthy",
        message: "a1b2.elb.amazonaws.com",
      },
      { name: "Service ClusterIP: Healthy", obj: svc("ClusterIP"), status: "Healthy", message: "ClusterIP service" },
      { name: "Service without type (ClusterIP): Healthy", obj: svc(undefined), status: "Healthy", message: "ClusterIP" },
      { name: "Service NodePort: Healthy", obj: svc("NodePort"), status: "Healthy", message: "NodePort service" },
    ] satisfies Case[];
  })(),

  // Ingress
  ...(() => {
    const ing = (apiVersion: string, status: Record<string, unknown>): KubeResource => ({
      apiVersion,
      kind: "Ingress",
      metadata: meta("web"),
      spec: {
        ingressClassName: "nginx",
        rules: [
          { host: "shop.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } },
        ],
      },
      status,
    });
    return [
      {
        name: "Ingress without address: Progressing",
        obj: ing("networking.k8s.io/v1", { loadBalancer: {} }),
        status: "Progressing",
        message: "waiting for an ingress controller",
      },
      {
        name: "Ingress with address: Healthy",
        obj: ing("networking.k8s.io/v1", { loadBalancer: { ingress: [{ ip: "198.51.100.4" }] } }),
        status: "Healthy",
        message: "address 198.51.100.4",
      },
      {
        name: "Ingress of the legacy extensions group is assessed the same",
        obj: ing("extensions/v1beta1", { loadBalancer: {} }),
        status: "Progressing",
        message: "ingress controller",
      },
    ] satisfies Case[];
  })(),

  // HorizontalPodAutoscaler
  ...(() => {
    const hpa = (conditions: unknown[]): KubeResource => ({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: meta("web", { generation: 1 }),
      spec: { minReplicas: 2, maxReplicas: 10, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, metrics: [] },
      status: { currentReplicas: 3, desiredReplicas: 3, conditions },
    });
    return [
      {
        name: "HPA unable to scale: Degraded",
        obj: hpa([cond("AbleToScale", "False", "FailedGetScale", 'deployments/scale.apps "web" not found'), cond("ScalingActive", "False", "FailedGetScale")]),
        status: "Degraded",
        message: "FailedGetScale: deployments/scale.apps",
      },
      {
        name: "HPA failing to read metrics: Degraded",
        obj: hpa([
          cond("AbleToScale", "True", "SucceededGetScale"),
          cond("ScalingActive", "False", "FailedGetResourceMetric", "the HPA was unable to compute the replica count: failed to get cpu utilization"),
        ]),
        status: "Degraded",
        message: "FailedGetResourceMetric",
      },
      {
        name: "HPA scaling: Healthy",
        obj: hpa([
          cond("AbleToScale", "True", "ReadyForNewScale"),
          cond("ScalingActive", "True", "ValidMetricFound"),
          cond("ScalingLimited", "False", "DesiredWithinRange"),
        ]),
        status: "Healthy",
        message: "3 replicas (min 2, max 10)",
      },
    ] satisfies Case[];
  })(),

  // Namespace
  {
    name: "Namespace Terminating: Progressing",
    obj: { apiVersion: "v1", kind: "Namespace", metadata: { name: "old" }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Terminating" } },
    status: "Progressing",
    message: "terminating",
  },
  {
    name: "Namespace Active: Healthy",
    obj: { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } },
    status: "Healthy",
    message: "active",
  },

  // CustomResourceDefinition
  ...(() => {
    const crd = (conditions: unknown[]): KubeResource => ({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: meta("widgets.example.com", { namespace: undefined, generation: 1 }),
      spec: { group: "example.com", names: { kind: "Widget", plural: "widgets" }, scope: "Namespaced", versions: [] },
      status: { acceptedNames: { kind: "Widget", plural: "widgets" }, storedVersions: ["v1"], conditions },
    });
    return [
      {
        name: "CRD Established: Healthy",
        obj: crd([
          cond("NamesAccepted", "True", "NoConflicts", "no conflicts found"),
          cond("Established", "True", "InitialNamesAccepted", "the initial names have been accepted"),
        ]),
        status: "Healthy",
        message: "established",
      },
      {
        name: "CRD not yet Established: Progressing",
        obj: crd([cond("NamesAccepted", "True", "NoConflicts"), cond("Established", "False", "Installing", "the initial names have been accepted")]),
        status: "Progressing",
        message: "waiting to be established",
      },
      {
        name: "CRD names conflict: Degraded",
        obj: crd([cond("NamesAccepted", "False", "MultipleNamesNotAllowed", '"widget" is already in use'), cond("Established", "False", "NotAccepted")]),
        status: "Degraded",
        message: "MultipleNamesNotAllowed",
      },
    ] satisfies Case[];
  })(),

  // custom resources: conditions
  ...(() => {
    const cr = (conditions: unknown[], kind = "Certificate", apiVersion = "cert-manager.io/v1"): KubeResource => ({
      apiVersion,
      kind,
      metadata: meta("shop-tls"),
      spec: {},
      status: { observedGeneration: 2, conditions },
    });
    return [
      {
        name: "CR Ready True: Healthy with its message",
        obj: cr([cond("Ready", "True", "Ready", "Certificate is up to date and has not expired")]),
        status: "Healthy",
        message: "Certificate is up to date",
      },
      {
        name: "CR Ready False: Degraded with reason and message",
        obj: cr([cond("Ready", "False", "DoesNotExist", 'Issuer "letsencrypt" not found')]),
        status: "Degraded",
        message: 'DoesNotExist: Issuer "letsencrypt" not found',
      },
      {
        name: "CR Ready False while progressing: Progressing",
        obj: cr([cond("Ready", "False", "Progressing", "Reconciliation in progress")], "Kustomization", "kustomize.toolkit.fluxcd.io/v1"),
        status: "Progressing",
        message: "Reconciliation in progress",
      },
      {
        name: "CR Ready Unknown: Progressing",
        obj: cr([cond("Ready", "Unknown", "Issuing", "Issuing certificate as Secret does not exist")]),
        status: "Progressing",
        message: "Issuing",
      },
      {
        name: "CR Stalled True: Degraded",
        obj: cr(
          [cond("Stalled", "True", "BuildFailed", "kustomize build failed: accumulating resources"), cond("Ready", "False", "BuildFailed")],
          "Kustomization",
          "kustomize.toolkit.fluxcd.io/v1",
        ),
        status: "Degraded",
        message: "BuildFailed: kustomize build failed",
      },
      {
        name: "CR Reconciling True: Progressing",
        obj: cr(
          [cond("Reconciling", "True", "Progressing", "Fetching manifests"), cond("Ready", "Unknown", "Progressing")],
          "Kustomization",
          "kustomize.toolkit.fluxcd.io/v1",
        ),
        status: "Progressing",
        message: "Progressing: Fetching manifests",
      },
      {
        name: "CR without known conditions: Healthy",
        obj: cr([cond("Synced", "True", "ReconcileSuccess")]),
        status: "Healthy",
        message: "no health conditions reported",
      },
      {
        name: "a Deployment of another group is a custom resource",
        obj: cr([cond("Ready", "True", "Ready", "deployed")], "Deployment", "example.com/v1"),
        status: "Healthy",
        message: "deployed",
      },
    ] satisfies Case[];
  })(),

  // objects without status
  {
    name: "ConfigMap: Healthy",
    obj: { apiVersion: "v1", kind: "ConfigMap", metadata: meta("cfg", { generation: undefined }), data: { a: "b" } } as KubeResource,
    status: "Healthy",
    message: "exists",
  },
  {
    name: "Secret: Healthy",
    obj: { apiVersion: "v1", kind: "Secret", metadata: meta("creds", { generation: undefined }), type: "Opaque" } as KubeResource,
    status: "Healthy",
    message: "no status to assess",
  },
  {
    name: "ServiceAccount: Healthy",
    obj: { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("app", { generation: undefined }) },
    status: "Healthy",
    message: "exists",
  },
  {
    name: "Role: Healthy",
    obj: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta("reader", { generation: undefined }) },
    status: "Healthy",
    message: "exists",
  },
];

describe("assessHealth", () => {
  it.each(cases)("$name", ({ obj, status, message }) => {
    const h = assessHealth(obj);
    expect(h.status).toBe(status);
    if (typeof message === "string") expect(h.message).toContain(message);
    else expect(h.message).toMatch(message);
  });

  it("messages stay short and single-line", () => {
    for (const { obj } of cases) {
      const { message } = assessHealth(obj);
      expect(message.length).toBeGreaterThan(0);
      expect(message.length).toBeLessThan(240);
      expect(message).not.toContain("\n");
    }
  });

  it("a kind named like an Object.prototype member is just a custom resource", () => {
    expect(assessHealth({ apiVersion: "example.com/v1", kind: "constructor", metadata: { name: "x" } })).toEqual({
      status: "Healthy",
      message: "exists (no status to assess)",
    });
  });

  it("an object without apiVersion is assessed by kind", () => {
    expect(assessHealth({ kind: "PersistentVolumeClaim", metadata: { name: "d" }, status: { phase: "Pending" } }).status).toBe("Progressing");
  });
});

describe("assessWorkloadWithPods", () => {
  const web = deployment(
    {},
    {
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 1,
      conditions: [cond("Progressing", "True", "ReplicaSetUpdated")],
    },
  );
  const ok = (name: string) => pod("Running", { name, ready: true, containers: [container({ running: {} }, { ready: true })] });

  it("is Degraded with the failing pod's container reason", () => {
    const h = assessWorkloadWithPods(web, [ok("web-1"), pod("Running", { name: "web-2", containers: [crashLooping] }), ok("web-3")]);
    expect(h.status).toBe("Degraded");
    expect(h.message).toBe("pod web-2: container web: CrashLoopBackOff (back-off 5m0s restarting failed container; last exit: Error, code 1)");
  });

  it("names how many more pods fail", () => {
    const pull = (name: string, reason: string) => pod("Pending", { name, containers: [container({ waiting: { reason } })] });
    const h = assessWorkloadWithPods(web, [pull("web-1", "ImagePullBackOff"), pull("web-2", "ErrImagePull"), pull("web-3", "ImagePullBackOff")]);
    expect(h).toEqual({ status: "Degraded", message: "pod web-1: container web: ImagePullBackOff (+2 more failing pods)" });
  });

  it("ignores pods that its selector does not match or that live in another namespace", () => {
    const other = pod("Running", { name: "api-1", labels: { app: "api" }, containers: [crashLooping] });
    const elsewhere = pod("Running", { name: "web-x", containers: [crashLooping] });
    elsewhere.metadata.namespace = "staging";
    expect(assessWorkloadWithPods(web, [ok("web-1"), other, elsewhere])).toEqual({ status: "Progressing", message: "2 of 3 replicas available" });
  });

  it("matches pods by matchExpressions and by ownerReference", () => {
    const sel = deployment(
      {
        selector: {
          matchLabels: {},
          matchExpressions: [
            { key: "app", operator: "In", values: ["web", "web-canary"] },
            { key: "legacy", operator: "DoesNotExist" },
          ],
        },
      },
      web.status,
    );
    expect(assessWorkloadWithPods(sel, [pod("Running", { containers: [crashLooping], labels: { app: "web-canary" } })]).status).toBe("Degraded");
    expect(assessWorkloadWithPods(sel, [pod("Running", { containers: [crashLooping], labels: { app: "web", legacy: "1" } })]).status).toBe("Progressing");

    const j = job({ selector: undefined }, { active: 1 });
    const jobPod = pod("Running", { name: "migrate-abcde", labels: {}, containers: [crashLooping] });
    jobPod.metadata.ownerReferences = [{ apiVersion: "batch/v1", kind: "Job", name: "migrate", uid: "uid-migrate", controller: true }];
    expect(assessWorkloadWithPods(j, [jobPod])).toMatchObject({
      status: "Degraded",
      message: expect.stringContaining("pod migrate-abcde: container web: CrashLoopBackOff"),
    });
  });

  it("an empty selector selects nothing", () => {
    const none = deployment({ selector: {} }, web.status);
    expect(assessWorkloadWithPods(none, [pod("Running", { containers: [crashLooping] })]).status).toBe("Progressing");
  });

  it("finished pods are left to the workload's own status", () => {
    const complete = job({}, { succeeded: 1, failed: 1, conditions: [cond("Complete", "True", "CompletionsReached")] });
    const failedAttempt = pod("Failed", {
      name: "migrate-1",
      labels: { "batch.kubernetes.io/controller-uid": "uid-migrate" },
      containers: [container({ terminated: { exitCode: 1, reason: "Error" } })],
    });
    expect(assessWorkloadWithPods(complete, [failedAttempt])).toEqual({ status: "Healthy", message: "completed (1 pod succeeded)" });
  });

  it("healthy pods leave the workload's health as it is; a missing workload stays Missing", () => {
    expect(assessWorkloadWithPods(web, [ok("web-1"), ok("web-2")])).toEqual(assessHealth(web));
    expect(assessWorkloadWithPods(null, [pod("Running", { containers: [crashLooping] })])).toEqual({ status: "Missing", message: "not found in the cluster" });
  });

  it("accepts KubeObjects as the pods", () => {
    const list: KubeObject[] = [pod("Running", { containers: [crashLooping] }) as KubeObject];
    expect(assessWorkloadWithPods(web, list).status).toBe("Degraded");
  });
});
