// Image references (parse/format/normalize) and listing the images Kubernetes objects run.
import { describe, expect, it } from "vitest";
import { AppError } from "../../lib/errors";
import { canonicalName, formatImageRef, parseImageRef, sameImageName, tryParseImageRef } from "../../lib/images/image-ref";
import { imagesInManifests } from "../../lib/images/running-images";

const DIGEST = `sha256:${"ab".repeat(32)}`;

describe("image references", () => {
  it("parses names, tags, digests and registry ports", () => {
    expect(parseImageRef(`ghcr.io/example/app:1.2.3@${DIGEST}`)).toEqual({ name: "ghcr.io/example/app", tag: "1.2.3", digest: DIGEST });
    expect(parseImageRef("127.0.0.1:5000/app:1")).toEqual({ name: "127.0.0.1:5000/app", tag: "1" });
    expect(parseImageRef("127.0.0.1:5000/team/app")).toEqual({ name: "127.0.0.1:5000/team/app" });
    expect(parseImageRef("redis")).toEqual({ name: "redis" });
    expect(parseImageRef(`redis@${DIGEST}`)).toEqual({ name: "redis", digest: DIGEST });
    expect(parseImageRef("localhost:5000/app:v1.0-rc.1")).toEqual({ name: "localhost:5000/app", tag: "v1.0-rc.1" });
  });

  it("formats back to the same text", () => {
    for (const ref of [`ghcr.io/example/app:1.2.3@${DIGEST}`, "127.0.0.1:5000/app:1", "redis", `redis@${DIGEST}`]) {
      expect(formatImageRef(parseImageRef(ref))).toBe(ref);
    }
  });

  it("rejects malformed references with an AppError", () => {
    for (const bad of ["", "  ", "app:", "app:bad tag", "app@sha256:short", "ghcr.io//app", "a b"]) {
      expect(tryParseImageRef(bad)).toBeUndefined();
      expect(() => parseImageRef(bad)).toThrow(AppError);
    }
  });

  it("normalizes Docker Hub names separately from the written name", () => {
    expect(canonicalName("redis")).toBe("docker.io/library/redis");
    expect(canonicalName("redis:7.2.4")).toBe("docker.io/library/redis");
    expect(canonicalName("bitnami/redis")).toBe("docker.io/bitnami/redis");
    expect(canonicalName("index.docker.io/library/redis")).toBe("docker.io/library/redis");
    expect(canonicalName("ghcr.io/example/app")).toBe("ghcr.io/example/app");
    expect(canonicalName("localhost/app")).toBe("localhost/app");
    expect(canonicalName("127.0.0.1:5000/app")).toBe("127.0.0.1:5000/app");
    expect(sameImageName("docker.io/library/redis", "redis")).toBe(true);
    expect(sameImageName("ghcr.io/example/app", "example/app")).toBe(false);
  });
});

const podSpec = (containers: Array<[string, string]>, extra: Record<string, unknown> = {}) => ({
  containers: containers.map(([name, image]) => ({ name, image })),
  ...extra,
});
const workload = (kind: string, name: string, spec: Record<string, unknown>, namespace = "shop") => ({
  apiVersion: "apps/v1",
  kind,
  metadata: { name, namespace },
  spec: { template: { spec } },
});

describe("imagesInManifests", () => {
  const objects: Array<Record<string, unknown>> = [
    workload(
      "Deployment",
      "web",
      podSpec(
        [
          ["web", "ghcr.io/example/web:1.4.0"],
          ["proxy", "envoyproxy/envoy:v1.30.0"],
        ],
        {
          initContainers: [{ name: "migrate", image: "ghcr.io/example/web:1.4.0" }],
        },
      ),
    ),
    workload("StatefulSet", "cache", podSpec([["redis", "redis:7.2.4"]])),
    workload("DaemonSet", "agent", podSpec([["agent", `ghcr.io/example/agent@${DIGEST}`]]), "kube-system"),
    workload("ReplicaSet", "web-5d9c", podSpec([["web", "ghcr.io/example/web:1.3.0"]])),
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "seed", namespace: "shop" },
      spec: { template: { spec: podSpec([["seed", "docker.io/library/redis:7.2.4"]]) } },
    },
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "report", namespace: "shop" },
      spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: podSpec([["report", "127.0.0.1:5000/tools/report:2"]]) } } } },
    },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "debug-me", namespace: "shop" },
      spec: { ...podSpec([["main", "ghcr.io/example/web:1.4.0"]]), ephemeralContainers: [{ name: "debugger", image: "busybox:1.36" }] },
    },
    { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "shop" }, spec: { ports: [{ port: 80 }] } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg" }, data: { image: "not-a-workload:1" } },
    { apiVersion: "v1", kind: "List", items: [workload("Deployment", "api", podSpec([["api", "ghcr.io/example/api:2.0.0"]]))] },
  ];

  it("finds containers, init and ephemeral containers of every workload kind", () => {
    const images = imagesInManifests(objects);
    expect(images.map((i) => i.image)).toEqual([
      "127.0.0.1:5000/tools/report:2",
      "envoyproxy/envoy:v1.30.0",
      "busybox:1.36",
      "redis:7.2.4",
      `ghcr.io/example/agent@${DIGEST}`,
      "ghcr.io/example/api:2.0.0",
      "ghcr.io/example/web:1.3.0",
      "ghcr.io/example/web:1.4.0",
    ]);
    const web = images.find((i) => i.image === "ghcr.io/example/web:1.4.0")!;
    expect(web).toMatchObject({ name: "ghcr.io/example/web", canonicalName: "ghcr.io/example/web", tag: "1.4.0" });
    expect(web.digest).toBeUndefined();
    expect(web.objects).toEqual([
      { kind: "Deployment", namespace: "shop", name: "web", container: "web", section: "containers" },
      { kind: "Deployment", namespace: "shop", name: "web", container: "migrate", section: "initContainers" },
      { kind: "Pod", namespace: "shop", name: "debug-me", container: "main", section: "containers" },
    ]);
    const busybox = images.find((i) => i.name === "busybox")!;
    expect(busybox.objects).toEqual([{ kind: "Pod", namespace: "shop", name: "debug-me", container: "debugger", section: "ephemeralContainers" }]);
    expect(images.find((i) => i.name === "127.0.0.1:5000/tools/report")!.objects[0]).toMatchObject({ kind: "CronJob", name: "report" });
    expect(images.find((i) => i.name === "ghcr.io/example/agent")).toMatchObject({
      digest: DIGEST,
      objects: [{ kind: "DaemonSet", namespace: "kube-system" }],
    });
  });

  it("groups spellings of the same image and keeps different tags apart", () => {
    const images = imagesInManifests(objects);
    const redis = images.filter((i) => i.canonicalName === "docker.io/library/redis");
    expect(redis).toHaveLength(1);
    expect(redis[0]).toMatchObject({ image: "redis:7.2.4", name: "redis" });
    expect(redis[0]!.objects.map((o) => `${o.kind}/${o.name}`)).toEqual(["Job/seed", "StatefulSet/cache"]);
    const web = images.filter((i) => i.name === "ghcr.io/example/web").map((i) => i.tag);
    expect(web).toEqual(["1.3.0", "1.4.0"]);
  });

  it("is deterministic whatever the input order", () => {
    const first = imagesInManifests(objects);
    const reversed = imagesInManifests([...objects].reverse());
    const shuffled = imagesInManifests([
      objects[3]!,
      objects[0]!,
      objects[6]!,
      objects[1]!,
      objects[9]!,
      objects[5]!,
      objects[2]!,
      objects[4]!,
      objects[8]!,
      objects[7]!,
    ]);
    expect(reversed).toEqual(first);
    expect(shuffled).toEqual(first);
  });

  it("ignores objects without pod specs, missing images and duplicates", () => {
    const dup = workload("Deployment", "web", podSpec([["web", "nginx:1.27"]]));
    const images = imagesInManifests([dup, structuredClone(dup), workload("Deployment", "empty", { containers: [{ name: "x" }] }), { kind: "Deployment" }]);
    expect(images).toEqual([
      {
        image: "nginx:1.27",
        name: "nginx",
        canonicalName: "docker.io/library/nginx",
        tag: "1.27",
        objects: [{ kind: "Deployment", namespace: "shop", name: "web", container: "web", section: "containers" }],
      },
    ]);
  });
});
