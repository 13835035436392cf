// Editor validation: YAML syntax markers, Kubernetes schema markers from the real test bed's
// OpenAPI v3 documents, and the validate route picking the environment (and cluster) of a file.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { parse } from "yaml";
import { validateAgainstSchema, validateYaml, type EditorMarker } from "../../lib/editor/validate-manifest";
import { validateRepositoryFile } from "../../lib/editor/validate-file";
import { ClusterSchemas, schemaCacheStats } from "../../lib/kube/openapi-schemas";
import { kubeRequest } from "../../lib/kube/transport";
import { registerCluster } from "../../lib/clusters/manage-clusters";
import { fetchRepository } from "../../lib/repositories/fetch-repository";
import { createSession } from "../../lib/auth/sessions";
import { clusterDeps, fetchDeps, reconcileDeps } from "../../server/root";
import { commitFile } from "../../support/demo-repo";
import { startGitFixtures, type GitFixtures } from "../helpers/git-fixtures";
import { demoSetup } from "../helpers/environments";
import { makeUser, prisma, uniqueName } from "../helpers/db";
import { callRoute } from "../helpers/routes";
import { adminClient, eventually, testbedKubeconfig } from "../helpers/testbed";

const schemas = new ClusterSchemas("testbed-editor", adminClient());
const lookup = (apiVersion: string, kind: string) => schemas.lookup(apiVersion, kind);
const check = (text: string, path?: string) => validateAgainstSchema(text, lookup, { path });
const brief = (ms: EditorMarker[]) => ms.map((m) => `${m.line}:${m.column} ${m.severity} ${m.message}`);

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
  creationTimestamp: null
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet:
              path: /health
              port: http
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 1, memory: 128Mi}
`;

describe("YAML syntax", () => {
  it("marks a syntax error at its line and column", () => {
    expect(validateYaml("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b: c\n")).toEqual([
      { line: 4, column: 6, endLine: 4, endColumn: 7, severity: "error", source: "yaml", message: "Nested mappings are not allowed in compact mappings" },
    ]);
    expect(brief(validateYaml("a: 1\n\tb: 2\n"))).toEqual(["2:1 error Tabs are not allowed as indentation"]);
  });

  it("reports errors per document of a multi-document file, at file lines", () => {
    const text = "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: ConfigMap\nkind: Secret\n---\na: b: c\n";
    const markers = validateYaml(text);
    expect(markers.map((m) => m.line)).toEqual([6, 8]);
    expect(markers[0]!.message).toMatch(/unique/);
    expect(validateYaml(DEPLOYMENT)).toEqual([]);
  });
});

describe("Kubernetes schema from the test bed's OpenAPI", () => {
  it("accepts valid core and apps objects, int-or-string and quantities", async () => {
    const service = `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: ClusterIP\n  ports:\n    - port: 80\n      targetPort: http\n    - port: 81\n      targetPort: 8081\n`;
    const configMap = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  annotations:\n    note: "1"\ndata:\n  LOG_LEVEL: info\n`;
    expect(brief(await check([DEPLOYMENT, service, configMap].join("---\n")))).toEqual([]);
  });

  it("marks an unknown field at its key, with a suggestion", async () => {
    const text = DEPLOYMENT.replace("imagePullPolicy: IfNotPresent", "imagePullPolicyy: IfNotPresent");
    const markers = await check(text);
    expect(markers).toEqual([
      {
        line: 26,
        column: 11,
        endLine: 26,
        endColumn: 27,
        severity: "error",
        source: "kubernetes",
        message: "spec.template.spec.containers[0].imagePullPolicyy: unknown field (did you mean imagePullPolicy?)",
      },
    ]);
  });

  it("marks wrong types and enum values at the value", async () => {
    const text = DEPLOYMENT.replace("replicas: 2", "replicas: three")
      .replace("containerPort: 8080", 'containerPort: "8080"')
      .replace("imagePullPolicy: IfNotPresent", "imagePullPolicy: always")
      .replace("app.kubernetes.io/name: web\n  creationTimestamp", "app.kubernetes.io/name: web\n    version: 1.0\n  creationTimestamp");
    expect(brief(await check(text))).toEqual([
      "7:14 error metadata.labels.version: expected string, got number (1.0)",
      '10:13 error spec.replicas: expected integer, got string ("three")',
      '27:28 error spec.template.spec.containers[0].imagePullPolicy: unsupported value ("always"); must be one of Always, IfNotPresent, Never (did you mean Always?)',
      '30:30 error spec.template.spec.containers[0].ports[0].containerPort: expected integer, got string ("8080")',
    ]);
    // YAML 1.1 booleans, as Kubernetes reads them.
    const env = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: busybox\n      env:\n        - name: DEBUG\n          value: yes\n      ports: {containerPort: 80}\n`;
    expect(brief(await check(env))).toEqual([
      "10:18 error spec.containers[0].env[0].value: expected string, got boolean (yes)",
      "11:14 error spec.containers[0].ports: expected array, got object",
    ]);
  });

  it("does not report missing required fields (patches)", async () => {
    expect(await check("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n")).toEqual([]);
  });

  it("marks an unknown kind (error) and an unserved apiVersion (warning)", async () => {
    const text = "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: y}\n";
    expect(brief(await check(text))).toEqual([
      "2:7 error kind Deploymnet is not served in apps/v1 by cluster testbed (did you mean Deployment?)",
      "5:13 warning apiVersion example.com/v1 is not served by cluster testbed (is its CRD installed?)",
    ]);
  });

  it("skips Kustomizations, documents without apiVersion/kind and Helm templates", async () => {
    expect(await check("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresourcez: [a.yaml]\n")).toEqual([]);
    expect(await check("replicaCount: three\nimage: {repository: nginx}\n")).toEqual([]);
    const template = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.replicaCount }}\n  bogus: 1\n";
    expect(await check(template, "charts/web/templates/deployment.yaml")).toEqual([]);
    expect((await check(template.replace("{{ .Values.replicaCount }}", "1"), "charts/web/templates/deployment.yaml")).map((m) => m.message)).toEqual([
      "spec.bogus: unknown field",
    ]);
  });

  it("follows a CRD installed on the cluster: preserve-unknown-fields, int-or-string, nullable, enum", async () => {
    const group = `${uniqueName("ed").toLowerCase()}.example.com`;
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                properties: {
                  spec: {
                    type: "object",
                    properties: {
                      size: { "x-kubernetes-int-or-string": true },
                      mode: { type: "string", enum: ["fast", "slow"] },
                      owner: { type: "string", nullable: true },
                      extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    };
    await kubeRequest(adminClient(), "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", { body: crd });
    onTestFinished(() =>
      kubeRequest(adminClient(), "DELETE", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${group}`).then(() => undefined),
    );
    const text = (size: string) =>
      `apiVersion: ${group}/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n  size: ${size}\n  mode: fast\n  owner: null\n  extra:\n    anything: [1, 2]\n  colour: red\n`;
    // The CRD's document appears in /openapi/v3 a moment after it is created; the lookup re-checks.
    const markers = await eventually(
      () => check(text("10")),
      (ms) => !ms.some((m) => m.message.includes("not served")),
      30_000,
    );
    expect(brief(markers)).toEqual(["10:3 error spec.colour: unknown field"]);
    expect(brief(await check(text('"50%"').replace("mode: fast", "mode: medium")))).toEqual([
      '6:9 error spec.mode: unsupported value ("medium"); must be one of fast, slow',
      "10:3 error spec.colour: unknown field",
    ]);
    expect(brief(await check(text("[1]")))[0]).toBe("5:9 error spec.size: expected integer or string, got array");
  });

  it("validates a 5,000-line manifest with exactly the markers of its mistakes", async () => {
    const docs: string[] = [];
    for (let i = 0; i < 125; i++) {
      docs.push(
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\n  labels:\n    app.kubernetes.io/name: svc-${i}\ndata:\n  LOG_LEVEL: info\n  PORT: "8080"\n`,
      );
      docs.push(DEPLOYMENT.replaceAll("web", `web-${i}`));
    }
    const offsets: number[] = [];
    docs[101] = docs[101]!.replace("replicas: 2", "replicas: two"); // Deployment #50
    docs[200] = docs[200]!.replace("LOG_LEVEL: info", "LOG_LEVEL: info\n  DEBUG: true"); // ConfigMap #100
    docs[249] = docs[249]!.replace("name: web-124\n          image", "name: web-124\n          imagee"); // last Deployment
    let line = 1;
    for (const d of docs) {
      offsets.push(line);
      line += d.split("\n").length; // the separator line replaces the trailing newline's empty line
    }
    const text = docs.join("---\n");
    expect(text.split("\n").length).toBeGreaterThanOrEqual(5000);
    expect(validateYaml(text)).toEqual([]);
    const markers = await check(text);
    expect(brief(markers)).toEqual([
      `${offsets[101]! + 8}:13 error spec.replicas: expected integer, got string ("two")`,
      `${offsets[200]! + 8}:10 error data.DEBUG: expected string, got boolean (true)`,
      `${offsets[249]! + 24}:11 error spec.template.spec.containers[0].imagee: unknown field (did you mean image?)`,
    ]);
    expect(schemaCacheStats().documents).toBeGreaterThanOrEqual(2);
  });
});

describe("validateRepositoryFile and POST /api/repositories/:id/validate", () => {
  let git: GitFixtures;
  beforeAll(async () => {
    git = await startGitFixtures();
  });
  afterAll(() => git.stop());

  const BAD = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: "3"\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          imagePullPolicyy: Always\n---\nbroken: [\n`;

  it("uses the cluster of the environment holding the file, and only YAML checks elsewhere", async () => {
    const setup = await demoSetup(git);
    const ns = uniqueName("val").toLowerCase();
    await commitFile(setup.bare, { branch: "main", path: `val/${ns}/web.yaml`, content: DEPLOYMENT, message: "web" });
    await fetchRepository(fetchDeps(), setup.repo.id);
    const env = await setup.addEnv({ name: ns, path: `val/${ns}`, namespace: ns });
    const viewer = await makeUser("viewer");
    const { token } = await createSession(prisma(), viewer.id, 1);
    const validate = async (body: unknown) => {
      const res = await callRoute({
        file: "repositories/[id]/validate",
        method: "POST",
        url: `/api/repositories/${setup.repo.id}/validate`,
        params: { id: setup.repo.id },
        cookie: token,
        body,
      });
      return { status: res.status, json: await res.json() };
    };

    const inside = await validate({ ref: "main", path: `val/${ns}/web.yaml`, content: BAD });
    expect(inside.status).toBe(200);
    expect(inside.json.environment).toMatchObject({ id: env.id, name: ns, application: { id: setup.app.id }, cluster: { id: setup.cluster.id } });
    expect(inside.json.schemaSource).toBe("cluster-openapi");
    expect(inside.json.schemaError).toBeUndefined();
    expect(brief(inside.json.markers)).toEqual([
      '6:13 error spec.replicas: expected integer, got string ("3")',
      "14:11 error spec.template.spec.containers[0].imagePullPolicyy: unknown field (did you mean imagePullPolicy?)",
      expect.stringMatching(/^17:1 error /),
    ]);
    expect(inside.json.markers.map((m: EditorMarker) => m.source)).toEqual(["kubernetes", "kubernetes", "yaml"]);

    // No ref: the default branch. A new, unsaved file in the folder counts too.
    const unsaved = await validate({ path: `val/${ns}/new.yaml`, content: BAD });
    expect(unsaved.json.environment?.id).toBe(env.id);

    const outside = await validate({ ref: "main", path: "elsewhere/web.yaml", content: BAD });
    expect(outside.status).toBe(200);
    expect(outside.json).toMatchObject({ environment: null, schemaSource: null });
    expect(outside.json.markers.map((m: EditorMarker) => m.source)).toEqual(["yaml"]);

    const readme = await validate({ path: `val/${ns}/README.md`, content: "# [not yaml" });
    expect(readme.json).toMatchObject({ markers: [], skipped: "not-yaml" });
    expect((await validate({ path: "x.yaml" })).status).toBe(422);
    const missing = await callRoute({
      file: "repositories/[id]/validate",
      method: "POST",
      params: { id: "cx0000000000000000000000" },
      cookie: token,
      body: { path: "a.yaml", content: "a: 1" },
    });
    expect(missing.status).toBe(404);
    expect(
      (await callRoute({ file: "repositories/[id]/validate", method: "POST", params: { id: setup.repo.id }, body: { path: "a.yaml", content: "" } })).status,
    ).toBe(401);
  });

  it("a large file gets exactly the markers of the whole-file check, at the same lines (documents screened fast, mistakes checked with positions)", async () => {
    const setup = await demoSetup(git);
    const ns = uniqueName("big").toLowerCase();
    await commitFile(setup.bare, { branch: "main", path: `big/${ns}/web.yaml`, content: DEPLOYMENT, message: "web" });
    await fetchRepository(fetchDeps(), setup.repo.id);
    await setup.addEnv({ name: ns, path: `big/${ns}`, namespace: ns });
    const docs: string[] = [];
    for (let i = 0; i < 400; i++) {
      docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  LOG_LEVEL: info\n`);
      docs.push(DEPLOYMENT.replaceAll("web", `web-${i}`));
    }
    docs[3] = docs[3]!.replace("replicas: 2", "replicas: 1.0"); // a float where Kubernetes wants an integer
    docs[200] = docs[200]!.replace("LOG_LEVEL: info", "LOG_LEVEL: info\n  DEBUG: yes"); // YAML 1.1: a boolean
    docs[401] = docs[401]!.replace("imagePullPolicy: IfNotPresent", "imagePullPolicy: Sometimes");
    docs[554] = docs[554]!.replace("LOG_LEVEL: info", "LOG_LEVEL: [info"); // a syntax error
    docs[799] = docs[799]!.replace("name: web-399\n          image", "name: web-399\n          imagee");
    const text = docs.join("---\n");
    const expected = [...validateYaml(text), ...(await check(text))].sort((a, b) => a.line - b.line || a.column - b.column);
    expect(expected.length).toBe(5);
    const result = await validateRepositoryFile(reconcileDeps(), { repositoryId: setup.repo.id, ref: "main", path: `big/${ns}/all.yaml`, content: text });
    expect(result.schemaSource).toBe("cluster-openapi");
    expect(brief(result.markers)).toEqual(brief(expected));
    expect(brief(result.markers).join("\n")).toContain("spec.replicas: expected integer, got number (1.0)");
    expect(brief(result.markers).join("\n")).toContain("data.DEBUG: expected string, got boolean (yes)");

    // With an anchor and an alias the file is checked whole (the alias limits apply there): same markers.
    const anchored = `${docs[0]!.replace("LOG_LEVEL: info", "LOG_LEVEL: &level info\n  OTHER: *level")}---\n${docs[3]}`;
    const whole = [...validateYaml(anchored), ...(await check(anchored))].sort((a, b) => a.line - b.line || a.column - b.column);
    const viaFile = await validateRepositoryFile(reconcileDeps(), {
      repositoryId: setup.repo.id,
      ref: "main",
      path: `big/${ns}/anchored.yaml`,
      content: anchored,
    });
    expect(brief(viaFile.markers)).toEqual(brief(whole));
    expect(whole.length).toBe(1);
  });

  it("falls back to YAML markers with schemaError when the cluster is unreachable", async () => {
    const setup = await demoSetup(git);
    const ns = uniqueName("down").toLowerCase();
    await commitFile(setup.bare, { branch: "main", path: `down/${ns}/web.yaml`, content: DEPLOYMENT, message: "web" });
    await fetchRepository(fetchDeps(), setup.repo.id);
    const kubeconfig = parse(testbedKubeconfig("admin"));
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    for (const c of kubeconfig.clusters) c.cluster.server = `https://127.0.0.1:${port}`; // nothing listens there
    const { cluster } = await registerCluster(clusterDeps(), {
      source: "kubeconfig",
      name: uniqueName("down").toLowerCase(),
      kubeconfig: JSON.stringify(kubeconfig),
      context: kubeconfig["current-context"],
    });
    const env = await setup.addEnv({ name: ns, path: `down/${ns}`, namespace: ns, clusterId: cluster.id });

    const result = await validateRepositoryFile(reconcileDeps(), { repositoryId: setup.repo.id, ref: "main", path: `down/${ns}/web.yaml`, content: BAD });
    expect(result.environment?.id).toBe(env.id);
    expect(result.schemaSource).toBeNull();
    expect(result.schemaError).toMatch(/refused|unreachable/i);
    expect(result.markers.map((m) => m.source)).toEqual(["yaml"]);
  });
});
