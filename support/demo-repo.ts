// Builds the demo GitOps repository (Kustomize apps, a Helm chart, platform YAML) as a
// bare repo with ~40 commits of realistic history, plus helpers tests use to add commits.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { mkdtemp, rename, rm, rmdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export interface Author {
  name: string;
  email: string;
}

const AUTHORS: Array<Author & { tz: string }> = [
  { name: "Maya Chen", email: "maya.chen@example.com", tz: "-0800" },
  { name: "Luis Ortega", email: "luis.ortega@example.com", tz: "+0100" },
  { name: "Priya Raman", email: "priya.raman@example.com", tz: "+0530" },
  { name: "Jonas Weber", email: "jonas.weber@example.com", tz: "+0200" },
];
const FEATURE_BRANCH = "feature/payments-pdb";
const DAY_MS = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------- git runner

/** Env that ignores the machine's git config and any GIT_DIR inherited from a hook. */
export function isolatedGitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("GIT_")) delete env[key];
  return { ...env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: os.devNull, GIT_TERMINAL_PROMPT: "0", ...extra };
}

export function runGit(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string | Buffer } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd: opts.cwd, env: isolatedGitEnv(opts.env) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8").trim());
      else reject(new Error(`git ${args.join(" ")} failed (${code}): ${Buffer.concat(err).toString("utf8").trim()}`));
    });
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

function authorEnv(author: Author, date: Date, tz = "+0000"): Record<string, string> {
  // Raw "<epoch> <tz>" format keeps dates exact and independent of the machine's timezone.
  const when = `${Math.floor(date.getTime() / 1000)} ${tz}`;
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
    GIT_COMMITTER_DATE: when,
  };
}

// ---------------------------------------------------------------- repository state

type Env = "dev" | "staging" | "prod";
const ENVS: Env[] = ["dev", "staging", "prod"];

interface AppState {
  baseTag: string; // overlays override it per environment, so the base rarely changes
  overlays: Env[];
  tags: Record<Env, string>;
  replicas: Record<Env, number>;
  config: Record<string, string>;
  probePath: string;
  devDebug: boolean;
  hpa: { min: number; max: number; cpu: number } | null;
  pdb: { base: number; prod: number | null } | null;
}

interface State {
  readmeFlow: boolean;
  namespaces: string[];
  quota: boolean;
  netpol: "none" | "deny" | "deny+monitoring";
  guestbook: AppState | null;
  payments: AppState | null;
  redis: { version: string; envs: Env[]; prodMemory: string } | null;
}

const APPS = {
  guestbook: { port: 8080, description: "public guestbook web frontend" },
  payments: { port: 9000, description: "payments API" },
} as const;
type AppName = keyof typeof APPS;

function newApp(tag: string, replicas: Record<Env, number>, config: Record<string, string>): AppState {
  const tags = { dev: tag, staging: tag, prod: tag };
  return { baseTag: tag, overlays: [], tags, replicas, config, probePath: "/health", devDebug: false, hpa: null, pdb: null };
}

// ---------------------------------------------------------------- rendering

const yamlMap = (obj: Record<string, string>, indent: string) =>
  Object.entries(obj)
    .map(([k, v]) => `${indent}${k}: ${JSON.stringify(v)}`)
    .join("\n");

function renderBase(name: AppName, app: AppState): Record<string, string> {
  const { port } = APPS[name];
  const dir = `apps/${name}/base`;
  const labels = `app.kubernetes.io/name: ${name}`;
  const files: Record<string, string> = {};
  const resources = ["deployment.yaml", "service.yaml", "configmap.yaml", ...(app.pdb ? ["pdb.yaml"] : [])];
  files[`${dir}/kustomization.yaml`] = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
labels:
  - pairs:
      app.kubernetes.io/part-of: ${name}
resources:
${resources.map((r) => `  - ${r}`).join("\n")}
`;
  files[`${dir}/deployment.yaml`] = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    ${labels}
spec:
  replicas: 1
  selector:
    matchLabels:
      ${labels}
  template:
    metadata:
      labels:
        ${labels}
    spec:
      containers:
        - name: ${name}
          image: ghcr.io/example/${name}:${app.baseTag}
          ports:
            - name: http
              containerPort: ${port}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: ${name}-config
          readinessProbe:
            httpGet:
              path: ${app.probePath}
              port: http
            periodSeconds: 10
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 256Mi
`;
  files[`${dir}/service.yaml`] = `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  labels:
    ${labels}
spec:
  type: ClusterIP
  selector:
    ${labels}
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP
`;
  files[`${dir}/configmap.yaml`] = `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
  labels:
    ${labels}
data:
${yamlMap(app.config, "  ")}
`;
  if (app.pdb) {
    files[`${dir}/pdb.yaml`] = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
spec:
  minAvailable: ${app.pdb.base}
  selector:
    matchLabels:
      ${labels}
`;
  }
  return files;
}

function renderOverlay(name: AppName, app: AppState, env: Env): Record<string, string> {
  const dir = `apps/${name}/overlays/${env}`;
  const files: Record<string, string> = {};
  const resources = ["../../base"];
  const patches: string[] = [];
  if (env === "dev" && app.devDebug) {
    patches.push("configmap-patch.yaml");
    files[`${dir}/configmap-patch.yaml`] = `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
data:
  LOG_LEVEL: "debug"
`;
  }
  if (env === "prod") {
    patches.push("deployment-patch.yaml");
    files[`${dir}/deployment-patch.yaml`] = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers:
        - name: ${name}
          resources:
            requests:
              cpu: 250m
              memory: 256Mi
            limits:
              cpu: "1"
              memory: 512Mi
`;
  }
  if (env === "prod" && app.hpa) {
    resources.push("hpa.yaml");
    files[`${dir}/hpa.yaml`] = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${name}
  minReplicas: ${app.hpa.min}
  maxReplicas: ${app.hpa.max}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: ${app.hpa.cpu}
`;
  }
  if (env === "prod" && app.pdb?.prod) {
    patches.push("pdb-patch.yaml");
    files[`${dir}/pdb-patch.yaml`] = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
spec:
  minAvailable: ${app.pdb.prod}
`;
  }
  files[`${dir}/kustomization.yaml`] = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${name}-${env}
resources:
${resources.map((r) => `  - ${r}`).join("\n")}
images:
  - name: ghcr.io/example/${name}
    newTag: ${app.tags[env]}
replicas:
  - name: ${name}
    count: ${app.replicas[env]}
${patches.length ? `patches:\n${patches.map((p) => `  - path: ${p}`).join("\n")}\n` : ""}`;
  return files;
}

function renderRedis(redis: NonNullable<State["redis"]>): Record<string, string> {
  const dir = "charts/redis";
  const sizes: Record<Env, { replicas: number; memory: string }> = {
    dev: { replicas: 1, memory: "128Mi" },
    staging: { replicas: 1, memory: "256Mi" },
    prod: { replicas: 2, memory: redis.prodMemory },
  };
  const files: Record<string, string> = {
    [`${dir}/Chart.yaml`]: `apiVersion: v2
name: redis
description: Small Redis cache used by guestbook for session storage
type: application
version: ${redis.version}
appVersion: "7.2.4"
`,
    [`${dir}/values.yaml`]: `image:
  repository: docker.io/library/redis
  tag: "7.2.4"
  pullPolicy: IfNotPresent
replicaCount: 1
service:
  port: 6379
resources:
  requests:
    cpu: 50m
    memory: 64Mi
  limits:
    cpu: 250m
    memory: 128Mi
`,
    [`${dir}/templates/_helpers.tpl`]: `{{- define "redis.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "redis.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "redis.labels" -}}
{{ include "redis.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
`,
    [`${dir}/templates/deployment.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "redis.fullname" . }}
  labels:
    {{- include "redis.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      {{- include "redis.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "redis.selectorLabels" . | nindent 8 }}
    spec:
      containers:
        - name: redis
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: redis
              containerPort: 6379
              protocol: TCP
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
`,
    [`${dir}/templates/service.yaml`]: `apiVersion: v1
kind: Service
metadata:
  name: {{ include "redis.fullname" . }}
  labels:
    {{- include "redis.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "redis.selectorLabels" . | nindent 4 }}
  ports:
    - name: redis
      port: {{ .Values.service.port }}
      targetPort: redis
      protocol: TCP
`,
  };
  for (const env of redis.envs) {
    const s = sizes[env];
    files[`${dir}/values-${env}.yaml`] = `replicaCount: ${s.replicas}
resources:
  requests:
    cpu: 50m
    memory: 64Mi
  limits:
    cpu: 500m
    memory: ${s.memory}
`;
  }
  return files;
}

function renderPlatform(s: State): Record<string, string> {
  const dir = "platform/namespaces";
  if (s.namespaces.length === 0) return {};
  const files: Record<string, string> = {};
  files[`${dir}/namespaces.yaml`] = s.namespaces
    .map(
      (ns) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
  labels:
    tideline.dev/app: ${ns.slice(0, ns.lastIndexOf("-"))}
    tideline.dev/environment: ${ns.slice(ns.lastIndexOf("-") + 1)}
`,
    )
    .join("---\n");
  const prod = s.namespaces.filter((ns) => ns.endsWith("-prod"));
  if (s.quota) {
    files[`${dir}/resource-quota.yaml`] = prod
      .map(
        (ns) => `apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute-quota
  namespace: ${ns}
spec:
  hard:
    requests.cpu: "4"
    requests.memory: 8Gi
    limits.cpu: "8"
    limits.memory: 16Gi
    pods: "40"
`,
      )
      .join("---\n");
  }
  if (s.netpol !== "none") {
    const monitoring =
      s.netpol === "deny+monitoring"
        ? `        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: monitoring
`
        : "";
    files[`${dir}/network-policy.yaml`] = prod
      .map(
        (ns) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-same-namespace
  namespace: ${ns}
spec:
  podSelector: {}
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector: {}
${monitoring}`,
      )
      .join("---\n");
  }
  return files;
}

function renderReadme(s: State): string {
  const flow = s.readmeFlow
    ? `
## Promotion flow

1. Bump the image tag in \`apps/<app>/overlays/dev/kustomization.yaml\`.
2. Once dev is healthy, copy the same \`newTag\` to \`staging\`, then to \`prod\`.
3. Replica counts and resources are set per environment in the overlays.
`
    : "";
  return `# GitOps configuration

Desired state for the example platform, reconciled by the cluster's GitOps controller.

- \`apps/\` — Kustomize bases and per-environment overlays (dev, staging, prod)
- \`charts/\` — Helm charts with per-environment values files
- \`platform/\` — cluster-wide resources such as namespaces and policies
${flow}`;
}

function render(s: State): Record<string, string> {
  const files: Record<string, string> = { "README.md": renderReadme(s), ...renderPlatform(s) };
  for (const name of ["guestbook", "payments"] as const) {
    const app = s[name];
    if (!app) continue;
    Object.assign(files, renderBase(name, app));
    for (const env of app.overlays) Object.assign(files, renderOverlay(name, app, env));
  }
  if (s.redis) Object.assign(files, renderRedis(s.redis));
  return files;
}

// ---------------------------------------------------------------- history

type Step = [author: number, message: string, apply: (s: State) => void];
const gb = (s: State) => s.guestbook!;
const pay = (s: State) => s.payments!;
const bump = (app: (s: State) => AppState, env: Env, tag: string) => (s: State) => {
  app(s).tags[env] = tag;
};
const envNamespaces = (app: string) => ENVS.map((e) => `${app}-${e}`);

const MAIN_STEPS: Step[] = [
  [0, "Initial commit: repository layout and README", () => {}],
  [1, "platform: add namespaces for guestbook", (s) => void s.namespaces.push(...envNamespaces("guestbook"))],
  [
    0,
    "guestbook: add base deployment, service and configmap",
    (s) => {
      s.guestbook = newApp("1.2.0", { dev: 1, staging: 2, prod: 3 }, { LOG_LEVEL: "info", FEATURE_NEW_UI: "false", SESSION_TTL_SECONDS: "3600" });
    },
  ],
  [0, "guestbook: add dev overlay", (s) => void gb(s).overlays.push("dev")],
  [2, "guestbook: add staging and prod overlays", (s) => void gb(s).overlays.push("staging", "prod")],
  [1, "platform: add NetworkPolicy restricting ingress in prod", (s) => void (s.netpol = "deny")],
  [0, "guestbook: bump image to 1.3.0 in dev", bump(gb, "dev", "1.3.0")],
  [2, "guestbook: promote 1.3.0 to staging", bump(gb, "staging", "1.3.0")],
  [3, "platform: add ResourceQuota for prod namespaces", (s) => void (s.quota = true)],
  [2, "guestbook: promote 1.3.0 to prod", bump(gb, "prod", "1.3.0")],
  [3, "guestbook: raise replicas in prod to 4", (s) => void (gb(s).replicas.prod = 4)],
  [0, "guestbook: set LOG_LEVEL=debug in dev", (s) => void (gb(s).devDebug = true)],
  [
    1,
    "add payments service base manifests",
    (s) => {
      s.payments = newApp(
        "2.0.3",
        { dev: 1, staging: 2, prod: 3 },
        { LOG_LEVEL: "info", PROVIDER_URL: "https://sandbox.payments.example.com", REQUEST_TIMEOUT_MS: "5000" },
      );
      pay(s).probePath = "/healthz";
    },
  ],
  [1, "platform: add namespaces for payments", (s) => void s.namespaces.push(...envNamespaces("payments"))],
  [1, "payments: add dev overlay", (s) => void pay(s).overlays.push("dev")],
  [2, "payments: add staging and prod overlays", (s) => void pay(s).overlays.push("staging", "prod")],
  [3, "payments: add HorizontalPodAutoscaler in prod", (s) => void (pay(s).hpa = { min: 3, max: 8, cpu: 75 })],
  [0, "guestbook: bump image to 1.4.0 in dev", bump(gb, "dev", "1.4.0")],
  [3, "add redis chart", (s) => void (s.redis = { version: "0.1.0", envs: [], prodMemory: "512Mi" })],
  [3, "add redis chart values for dev", (s) => void s.redis!.envs.push("dev")],
  [3, "add redis chart values for staging", (s) => void s.redis!.envs.push("staging")],
  [2, "guestbook: promote 1.4.0 to staging", bump(gb, "staging", "1.4.0")],
  [1, "payments: bump image to 2.1.1 in dev", bump(pay, "dev", "2.1.1")],
  [0, "guestbook: fix readiness probe path", (s) => void (gb(s).probePath = "/healthz")],
  [
    1,
    "payments: raise replicas in prod",
    (s) => {
      pay(s).replicas.prod = 4;
      pay(s).hpa!.min = 4; // the HPA owns the replica count in prod, so its floor must move too
    },
  ],
  [2, "guestbook: promote 1.4.0 to prod", bump(gb, "prod", "1.4.0")],
  [0, "docs: describe the promotion flow in README", (s) => void (s.readmeFlow = true)],
  [3, "add redis chart values for prod", (s) => void s.redis!.envs.push("prod")],
  [1, "payments: promote 2.1.1 to staging", bump(pay, "staging", "2.1.1")],
  [0, "guestbook: bump image to 1.4.1 in dev", bump(gb, "dev", "1.4.1")],
  [2, "guestbook: enable the new UI feature flag", (s) => void (gb(s).config.FEATURE_NEW_UI = "true")],
  [1, "payments: promote 2.1.1 to prod", bump(pay, "prod", "2.1.1")],
  [2, "guestbook: promote 1.4.1 to staging", bump(gb, "staging", "1.4.1")],
  [3, "platform: allow ingress from the monitoring namespace", (s) => void (s.netpol = "deny+monitoring")],
  [3, "redis: raise memory limit in prod", (s) => void (s.redis!.prodMemory = "1Gi")],
  [0, "guestbook: bump image to 1.4.2 in dev", bump(gb, "dev", "1.4.2")],
  [1, "payments: tune HPA target CPU to 65%", (s) => void (pay(s).hpa!.cpu = 65)],
  [2, "guestbook: promote 1.4.2 to staging", bump(gb, "staging", "1.4.2")],
  [3, "redis: bump chart version to 0.2.0", (s) => void (s.redis!.version = "0.2.0")],
  [2, "guestbook: promote 1.4.2 to prod", bump(gb, "prod", "1.4.2")],
];
// The feature branch forks 3 commits before main's tip, so the two histories diverge.
const FORK_AFTER = MAIN_STEPS.length - 3;
const BRANCH_STEPS: Step[] = [
  [1, "payments: add PodDisruptionBudget", (s) => void (pay(s).pdb = { base: 1, prod: null })],
  [1, "payments: require 2 available pods in prod", (s) => void (pay(s).pdb!.prod = 2)],
  [0, "payments: bump image to 2.2.0-rc.1 in dev", bump(pay, "dev", "2.2.0-rc.1")],
];

/** Main commits are spread evenly over the last ~30 days with a little deterministic jitter. */
function mainDate(now: Date, i: number): Date {
  const spacing = (29 * DAY_MS) / MAIN_STEPS.length;
  const jitterMin = ((i * 7919) % 97) - 48;
  return new Date(now.getTime() - 30 * DAY_MS + (i + 0.5) * spacing + jitterMin * 60_000);
}

// ---------------------------------------------------------------- public API

async function isGitRepo(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return false;
  // --git-dir stops git from discovering an enclosing repository instead.
  return runGit([`--git-dir=${dir}`, "rev-parse", "--git-dir"]).then(
    () => true,
    () => false,
  );
}

async function summarize(bareDir: string): Promise<{ commits: number; branches: string[] }> {
  const count = await runGit([`--git-dir=${bareDir}`, "rev-list", "--all", "--count"]);
  const refs = await runGit([`--git-dir=${bareDir}`, "for-each-ref", "--format=%(refname:short)", "refs/heads"]);
  return { commits: Number(count), branches: refs.split("\n").filter(Boolean) };
}

export async function createDemoRepository(bareDir: string, opts: { now?: Date } = {}): Promise<{ commits: number; branches: string[] }> {
  bareDir = path.resolve(bareDir);
  if (await isGitRepo(bareDir)) return summarize(bareDir);
  if (existsSync(bareDir) && readdirSync(bareDir).length > 0) {
    throw new Error(`${bareDir} exists, is not empty and is not a git repository`);
  }
  const now = opts.now ?? new Date();
  const work = await mkdtemp(path.join(os.tmpdir(), "tideline-demo-work-"));
  mkdirSync(path.dirname(bareDir), { recursive: true });
  // Build next to the target and rename at the end, so a crash never leaves a half-made repo.
  const staging = `${bareDir}.tmp-${process.pid}-${Date.now()}`;
  try {
    const git = (args: string[], env?: Record<string, string>) => runGit(args, { cwd: work, env });
    await git(["init", "-q", "-b", "main"]);
    let written: Record<string, string> = {};
    const commit = async (state: State, [who, message]: Step, date: Date) => {
      const files = render(state);
      for (const file of Object.keys(written)) if (!(file in files)) await rm(path.join(work, file));
      for (const [file, content] of Object.entries(files)) {
        if (written[file] === content) continue;
        mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
        await writeFile(path.join(work, file), content);
      }
      written = files;
      const author = AUTHORS[who]!;
      await git(["add", "-A"]);
      await git(["commit", "-q", "-m", message], authorEnv(author, date, author.tz));
    };

    const state: State = { readmeFlow: false, namespaces: [], quota: false, netpol: "none", guestbook: null, payments: null, redis: null };
    let forkState: State | null = null;
    for (const [i, step] of MAIN_STEPS.entries()) {
      step[2](state);
      await commit(state, step, mainDate(now, i));
      if (i === FORK_AFTER - 1) {
        forkState = structuredClone(state);
        await git(["branch", FEATURE_BRANCH]);
      }
    }
    await git(["checkout", "-q", FEATURE_BRANCH]);
    written = render(forkState!);
    for (const [b, step] of BRANCH_STEPS.entries()) {
      step[2](forkState!);
      await commit(forkState!, step, new Date(mainDate(now, FORK_AFTER - 1).getTime() + (b + 1) * 5 * 3_600_000));
    }

    await runGit(["init", "-q", "--bare", "-b", "main", staging]);
    await git(["push", "-q", staging, "refs/heads/*:refs/heads/*"]);
    // Lets pushes through the smart-HTTP server work even without REMOTE_USER.
    await runGit([`--git-dir=${staging}`, "config", "http.receivepack", "true"]);
    try {
      if (existsSync(bareDir)) await rmdir(bareDir); // known to be empty here
      await rename(staging, bareDir);
    } catch (err) {
      // A concurrent call may have won the race; its repository is just as good.
      if (!(await isGitRepo(bareDir))) throw err;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(staging, { recursive: true, force: true });
  }
  return summarize(bareDir);
}

/** Commits one file on a branch of a bare repo using plumbing and a throwaway index. */
export async function commitFile(
  bareDir: string,
  opts: { branch: string; path: string; content: string; message: string; author?: Author; date?: Date },
): Promise<string> {
  const filePath = opts.path.replace(/^\/+/, "");
  if (!filePath || filePath.split("/").some((seg) => seg === "" || seg === "." || seg === "..")) {
    throw new Error(`invalid path: ${opts.path}`);
  }
  const ref = `refs/heads/${opts.branch}`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), "tideline-commit-"));
  try {
    const author = opts.author ?? { name: "Demo Bot", email: "demo-bot@example.com" };
    const env = { GIT_DIR: path.resolve(bareDir), GIT_INDEX_FILE: path.join(tmp, "index"), ...authorEnv(author, opts.date ?? new Date()) };
    const git = (args: string[], input?: string) => runGit(args, { env, input });
    const parent = await git(["rev-parse", "--verify", "-q", `${ref}^{commit}`]).catch(() => "");
    await git(parent ? ["read-tree", parent] : ["read-tree", "--empty"]);
    const blob = await git(["hash-object", "-w", "--stdin"], opts.content);
    await git(["update-index", "--add", "--cacheinfo", `100644,${blob},${filePath}`]);
    const tree = await git(["write-tree"]);
    const sha = await git(["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-m", opts.message]);
    // Compare-and-swap: fail rather than silently drop a commit someone pushed meanwhile.
    await git(["update-ref", ref, sha, parent || "0".repeat(40)]);
    return sha;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Moves a branch to any commit, as a force-push would (history may be rewritten). */
export async function forcePushBranch(bareDir: string, branch: string, toSha: string): Promise<void> {
  const gitDir = `--git-dir=${path.resolve(bareDir)}`;
  const sha = await runGit([gitDir, "rev-parse", "--verify", `${toSha}^{commit}`]);
  await runGit([gitDir, "update-ref", `refs/heads/${branch}`, sha]);
}
