// Writing image versions into Git sources: each strategy, what stays untouched (comments,
// quoting, other policies' lines), multi-document files, errors, and the demo repo's layout.
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { AppError } from "../../lib/errors";
import { currentImagesInSources, updateImagesInSources, type UpdateSourcesResult } from "../../lib/images/update-sources";

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;

/** Line-level diff (LCS): the lines only `before` has, and the lines only `after` has. */
function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split("\n");
  const b = after.split("\n");
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) added.push(b[j++]!);
    else removed.push(a[i++]!);
  }
  return { removed, added };
}

const change = (r: UpdateSourcesResult, path: string) => {
  const f = r.files.find((x) => x.path === path);
  if (!f) throw new Error(`${path} did not change`);
  return f;
};
const diffOf = (r: UpdateSourcesResult, path: string) => lineDiff(change(r, path).before, change(r, path).after);
const lineOf = (text: string, n: number) => text.split("\n")[n - 1];

// ---------------------------------------------------------------- fixtures

const OVERLAY = "apps/guestbook/overlays/prod/kustomization.yaml";
const overlay = `# Production overlay. Tags are promoted from staging by Tideline.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: guestbook-prod
resources:
  - ../../base   # shared with dev and staging
images:
  # the web frontend
  - name: ghcr.io/example/guestbook
    newTag: "1.4.1"   # keep quoted
  - name: sidecar
    newName: registry.internal/mirror/sidecar
    newTag: '2.0.0'
  - {name: ghcr.io/example/flow, newTag: v1}
replicas:
  - name: guestbook
    count: 4
`;

const BASE_DEPLOY = "apps/guestbook/base/deployment.yaml";
const baseDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: guestbook
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: ghcr.io/example/migrate:0.9.0
      containers:
        - name: guestbook
          image: ghcr.io/example/guestbook:1.2.0
        - name: sidecar
          image: sidecar:1.0.0
`;

describe("kustomize images entries", () => {
  it("sets newTag in place, keeping comments, quoting and every other line", () => {
    const r = updateImagesInSources(
      { [OVERLAY]: overlay, [BASE_DEPLOY]: baseDeployment },
      [
        { name: "ghcr.io/example/guestbook", tag: "1.4.2" },
        { name: "registry.internal/mirror/sidecar", tag: "2.1.0" }, // matched through newName
        { name: "ghcr.io/example/flow", tag: "v2" },
      ],
      { targetKustomization: OVERLAY },
    );
    expect(r.unmatched).toEqual([]);
    expect(r.files.map((f) => f.path)).toEqual([OVERLAY]);
    expect(diffOf(r, OVERLAY)).toEqual({
      removed: ['    newTag: "1.4.1"   # keep quoted', "    newTag: '2.0.0'", "  - {name: ghcr.io/example/flow, newTag: v1}"],
      added: ['    newTag: "1.4.2"   # keep quoted', "    newTag: '2.1.0'", "  - {name: ghcr.io/example/flow, newTag: v2}"],
    });
    expect(r.applied).toEqual([
      {
        name: "ghcr.io/example/guestbook",
        from: "ghcr.io/example/guestbook:1.4.1",
        to: "ghcr.io/example/guestbook:1.4.2",
        path: OVERLAY,
        line: 10,
        via: "kustomize-images",
        changed: true,
      },
      {
        name: "registry.internal/mirror/sidecar",
        from: "registry.internal/mirror/sidecar:2.0.0",
        to: "registry.internal/mirror/sidecar:2.1.0",
        path: OVERLAY,
        line: 13,
        via: "kustomize-images",
        changed: true,
      },
      {
        name: "ghcr.io/example/flow",
        from: "ghcr.io/example/flow:v1",
        to: "ghcr.io/example/flow:v2",
        path: OVERLAY,
        line: 14,
        via: "kustomize-images",
        changed: true,
      },
    ]);
    for (const a of r.applied) expect(lineOf(change(r, OVERLAY).after, a.line)).toContain(a.to.split(":").pop());
  });

  it("reports an already-current entry as placed but unchanged", () => {
    const r = updateImagesInSources({ [OVERLAY]: overlay }, [{ name: "ghcr.io/example/guestbook", tag: "1.4.1" }], { targetKustomization: OVERLAY });
    expect(r.files).toEqual([]);
    expect(r.unmatched).toEqual([]);
    expect(r.applied).toMatchObject([
      { via: "kustomize-images", changed: false, from: "ghcr.io/example/guestbook:1.4.1", to: "ghcr.io/example/guestbook:1.4.1", line: 9 },
    ]);
  });

  it("quotes a tag that plain YAML would read as a number", () => {
    const text = "images:\n  - name: app\n    newTag: 1.9\n";
    const r = updateImagesInSources({ "kustomization.yaml": text }, [{ name: "app", tag: "1.10" }]);
    expect(change(r, "kustomization.yaml").after).toBe('images:\n  - name: app\n    newTag: "1.10"\n');
  });

  it("pins a digest by adding a line, and drops a stale pin when only a tag is promoted", () => {
    const pinned = updateImagesInSources({ [OVERLAY]: overlay }, [{ name: "ghcr.io/example/guestbook", tag: "1.4.2", digest: D1 }], {
      targetKustomization: OVERLAY,
    });
    const after = change(pinned, OVERLAY).after;
    expect(lineDiff(overlay, after)).toEqual({
      removed: ['    newTag: "1.4.1"   # keep quoted'],
      added: ['    newTag: "1.4.2"   # keep quoted', `    digest: ${D1}`],
    });
    expect(pinned.applied[0]).toMatchObject({ to: `ghcr.io/example/guestbook:1.4.2@${D1}` });

    const repinned = updateImagesInSources({ [OVERLAY]: after }, [{ name: "ghcr.io/example/guestbook", digest: D2 }], { targetKustomization: OVERLAY });
    expect(lineDiff(after, change(repinned, OVERLAY).after)).toEqual({ removed: [`    digest: ${D1}`], added: [`    digest: ${D2}`] });

    const unpinned = updateImagesInSources({ [OVERLAY]: after }, [{ name: "ghcr.io/example/guestbook", tag: "1.5.0" }], { targetKustomization: OVERLAY });
    expect(change(unpinned, OVERLAY).after).toBe(overlay.replace('"1.4.1"', '"1.5.0"'));
    expect(unpinned.applied[0]).toMatchObject({ from: `ghcr.io/example/guestbook:1.4.2@${D1}`, to: "ghcr.io/example/guestbook:1.5.0" });
  });

  it("adds an entry to the target kustomization for an image its resources use", () => {
    const r = updateImagesInSources({ [OVERLAY]: overlay, [BASE_DEPLOY]: baseDeployment }, [{ name: "ghcr.io/example/migrate", tag: "1.0.0" }], {
      targetKustomization: OVERLAY,
    });
    expect(r.files.map((f) => f.path)).toEqual([OVERLAY]); // the shared base is not edited
    expect(diffOf(r, OVERLAY)).toEqual({ removed: [], added: ["  - name: ghcr.io/example/migrate", "    newTag: 1.0.0"] });
    const after = change(r, OVERLAY).after;
    expect(parse(after).images).toContainEqual({ name: "ghcr.io/example/migrate", newTag: "1.0.0" });
    expect(r.applied).toEqual([
      {
        name: "ghcr.io/example/migrate",
        from: "ghcr.io/example/migrate:0.9.0",
        to: "ghcr.io/example/migrate:1.0.0",
        path: OVERLAY,
        line: 15,
        via: "kustomize-images",
        changed: true,
      },
    ]);
    expect(lineOf(after, 15)).toBe("  - name: ghcr.io/example/migrate");
  });

  it("creates the images list when the target has none, in the file's list indentation", () => {
    const target = "envs/dev/kustomization.yaml";
    const noImages = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../../base\n# trailing note\n";
    const r = updateImagesInSources(
      { [target]: noImages, "base/deployment.yaml": baseDeployment },
      [
        { name: "ghcr.io/example/guestbook", tag: "1.5.0" },
        { name: "ghcr.io/example/migrate", digest: D1 },
      ],
      { targetKustomization: target },
    );
    expect(change(r, target).after).toBe(
      "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../../base\nimages:\n- name: ghcr.io/example/guestbook\n  newTag: 1.5.0\n" +
        `- name: ghcr.io/example/migrate\n  digest: ${D1}\n# trailing note\n`,
    );
    expect(r.applied.map((a) => [a.name, a.line])).toEqual([
      ["ghcr.io/example/guestbook", 6],
      ["ghcr.io/example/migrate", 8],
    ]);

    const empty = updateImagesInSources(
      { [target]: "resources:\n  - ../../base\nimages: []\n", "base/deployment.yaml": baseDeployment },
      [{ name: "ghcr.io/example/guestbook", tag: "2.0.0" }],
      { targetKustomization: target },
    );
    expect(change(empty, target).after).toBe("resources:\n  - ../../base\nimages:\n  - name: ghcr.io/example/guestbook\n    newTag: 2.0.0\n");
  });

  it("edits only the target's entries, and every kustomization when no target is given", () => {
    const baseK = "images:\n  - name: ghcr.io/example/guestbook\n    newTag: 1.0.0\n";
    const files = { "base/kustomization.yaml": baseK, "envs/prod/kustomization.yaml": "resources:\n  - ../../base\n" };
    const scoped = updateImagesInSources(files, [{ name: "ghcr.io/example/guestbook", tag: "2.0.0" }], { targetKustomization: "envs/prod/kustomization.yaml" });
    expect(scoped.files.map((f) => f.path)).toEqual(["envs/prod/kustomization.yaml"]);
    expect(scoped.applied[0]).toMatchObject({ from: "ghcr.io/example/guestbook:1.0.0", to: "ghcr.io/example/guestbook:2.0.0" });
    const everywhere = updateImagesInSources(files, [{ name: "ghcr.io/example/guestbook", tag: "2.0.0" }]);
    expect(everywhere.files.map((f) => f.path)).toEqual(["base/kustomization.yaml"]);
  });

  it("keeps CRLF line endings", () => {
    const crlf = overlay.replace(/\n/g, "\r\n");
    const r = updateImagesInSources(
      { [OVERLAY]: crlf, [BASE_DEPLOY]: baseDeployment },
      [
        { name: "ghcr.io/example/guestbook", tag: "1.4.2" },
        { name: "ghcr.io/example/migrate", tag: "1.0.0" },
      ],
      { targetKustomization: OVERLAY },
    );
    const after = change(r, OVERLAY).after;
    expect(after.replace(/\r\n/g, "")).not.toContain("\n");
    expect(after).toContain('newTag: "1.4.2"');
    expect(after).toContain("  - name: ghcr.io/example/migrate\r\n    newTag: 1.0.0\r\n");
  });
});

describe("setter markers", () => {
  const deploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: guestbook
spec:
  template:
    spec:
      containers:
        - name: guestbook
          image: ghcr.io/example/guestbook:1.0.0 # tideline:image
        - name: worker
          image: ghcr.io/example/worker:1.0.0
        - name: canary
          image: "ghcr.io/example/guestbook:0.9.0"  # {"$imagepolicy": "flux-system:guestbook-canary"}
        - name: stable
          image: ghcr.io/example/guestbook:1.0.0 # {"$imagepolicy": "flux-system:guestbook"}
`;

  it("updates tideline:image lines whose image matches, and nothing else", () => {
    const r = updateImagesInSources({ "app/deployment.yaml": deploy }, [{ name: "ghcr.io/example/guestbook", tag: "1.1.0" }]);
    expect(diffOf(r, "app/deployment.yaml")).toEqual({
      removed: ["          image: ghcr.io/example/guestbook:1.0.0 # tideline:image"],
      added: ["          image: ghcr.io/example/guestbook:1.1.0 # tideline:image"],
    });
    expect(r.applied).toEqual([
      {
        name: "ghcr.io/example/guestbook",
        from: "ghcr.io/example/guestbook:1.0.0",
        to: "ghcr.io/example/guestbook:1.1.0",
        path: "app/deployment.yaml",
        line: 10,
        via: "setter",
        changed: true,
      },
    ]);
  });

  it("with a policy, writes only that policy's marker lines (whole reference, quoting kept)", () => {
    const r = updateImagesInSources({ "app/deployment.yaml": deploy }, [{ name: "ghcr.io/example/guestbook", tag: "1.2.0" }], {
      policyMarker: "flux-system:guestbook",
    });
    expect(diffOf(r, "app/deployment.yaml")).toEqual({
      removed: ['          image: ghcr.io/example/guestbook:1.0.0 # {"$imagepolicy": "flux-system:guestbook"}'],
      added: ['          image: ghcr.io/example/guestbook:1.2.0 # {"$imagepolicy": "flux-system:guestbook"}'],
    });
    expect(r.applied).toMatchObject([{ via: "imagepolicy-marker", line: 16 }]);

    const canary = updateImagesInSources({ "app/deployment.yaml": deploy }, [{ name: "ghcr.io/example/guestbook", tag: "1.3.0-rc.1", digest: D1 }], {
      policyMarker: "flux-system:guestbook-canary",
    });
    expect(diffOf(canary, "app/deployment.yaml")).toEqual({
      removed: ['          image: "ghcr.io/example/guestbook:0.9.0"  # {"$imagepolicy": "flux-system:guestbook-canary"}'],
      added: [`          image: "ghcr.io/example/guestbook:1.3.0-rc.1@${D1}"  # {"$imagepolicy": "flux-system:guestbook-canary"}`],
    });
  });

  it("never lets a policy run touch lines another policy owns, even through plain fields", () => {
    const r = updateImagesInSources({ "app/deployment.yaml": deploy }, [{ name: "ghcr.io/example/guestbook", tag: "9.9.9" }], {
      policyMarker: "flux-system:other",
      allowPlainImageFields: true,
    });
    expect(r.files).toEqual([]);
    expect(r.unmatched).toEqual(["ghcr.io/example/guestbook"]);
  });

  it("handles the Flux :tag and :name variants and a policy written on a values map", () => {
    const values = `app:
  image:
    repository: ghcr.io/example/guestbook # {"$imagepolicy": "flux-system:guestbook:name"}
    tag: 1.0.0 # {"$imagepolicy": "flux-system:guestbook:tag"}
other:
  image:
    repository: ghcr.io/example/guestbook # {"$imagepolicy": "apps:guestbook-eu:name"}
    tag: 1.0.0 # {"$imagepolicy": "apps:guestbook-eu:tag"}
`;
    const r = updateImagesInSources({ "chart/values.yaml": values }, [{ name: "ghcr.io/example/guestbook", tag: "1.1.0" }], {
      policyMarker: "flux-system:guestbook",
    });
    expect(diffOf(r, "chart/values.yaml")).toEqual({
      removed: ['    tag: 1.0.0 # {"$imagepolicy": "flux-system:guestbook:tag"}'],
      added: ['    tag: 1.1.0 # {"$imagepolicy": "flux-system:guestbook:tag"}'],
    });
    expect(r.applied).toEqual([
      {
        name: "ghcr.io/example/guestbook",
        from: "ghcr.io/example/guestbook:1.0.0",
        to: "ghcr.io/example/guestbook:1.1.0",
        path: "chart/values.yaml",
        line: 4,
        via: "imagepolicy-marker",
        changed: true,
      },
    ]);
  });

  it("writes a tag-only marker with no name nearby when the policy run has a single image", () => {
    const text = 'spec:\n  values:\n    tag: 1.0.0 # {"$imagepolicy": "flux-system:app:tag"}\n';
    const r = updateImagesInSources({ "release.yaml": text }, [{ name: "ghcr.io/example/app", tag: "1.0.1" }], { policyMarker: "flux-system:app" });
    expect(change(r, "release.yaml").after).toBe(text.replace("1.0.0", "1.0.1"));
    expect(r.applied[0]).toMatchObject({ from: "1.0.0", to: "1.0.1" });
  });

  it("writes Flux markers on kustomize entries outside the target folder for that policy", () => {
    const baseK = `images:
  - name: ghcr.io/example/app
    newTag: 1.0.0 # {"$imagepolicy": "flux-system:app:tag"}
`;
    const files = { "base/kustomization.yaml": baseK, "envs/dev/kustomization.yaml": "resources:\n  - ../../base\n" };
    const r = updateImagesInSources(files, [{ name: "ghcr.io/example/app", tag: "1.0.1" }], {
      policyMarker: "flux-system:app",
      targetKustomization: "envs/dev/kustomization.yaml",
    });
    expect(r.files.map((f) => f.path)).toEqual(["base/kustomization.yaml"]);
    expect(r.applied).toMatchObject([{ via: "imagepolicy-marker", line: 3 }]);
  });

  it("prefers the target's kustomize entry over markers, and keeps shared base markers for other environments", () => {
    const base = baseDeployment.replace("ghcr.io/example/migrate:0.9.0", "ghcr.io/example/migrate:0.9.0 # tideline:image");
    const r = updateImagesInSources(
      { [OVERLAY]: overlay, [BASE_DEPLOY]: base },
      [
        { name: "ghcr.io/example/guestbook", tag: "1.4.2" },
        { name: "ghcr.io/example/migrate", tag: "1.0.0" },
      ],
      { targetKustomization: OVERLAY },
    );
    expect(r.files.map((f) => f.path)).toEqual([OVERLAY]);
    expect(r.applied.map((a) => a.via)).toEqual(["kustomize-images", "kustomize-images"]);
    // Without a target, the marker itself is the place to write.
    const direct = updateImagesInSources({ [BASE_DEPLOY]: base }, [{ name: "ghcr.io/example/migrate", tag: "1.0.0" }]);
    expect(diffOf(direct, BASE_DEPLOY).added).toEqual(["          image: ghcr.io/example/migrate:1.0.0 # tideline:image"]);
  });
});

describe("Helm values", () => {
  const values = `# Default values for the shop chart.
frontend:
  image:
    repository: ghcr.io/example/guestbook   # app image
    tag: "1.4.0"
    pullPolicy: IfNotPresent
  sidecars:
    - name: proxy
      image:
        registry: docker.io
        repository: envoyproxy/envoy
        tag: v1.30.0
        digest: ""
cache:
  redis:
    image:
      repository: docker.io/library/redis
      tag: '7.2.4'
`;

  it("sets tags in nested image maps, including digests where the map has a digest key", () => {
    const r = updateImagesInSources({ "charts/shop/values.yaml": values }, [
      { name: "ghcr.io/example/guestbook", tag: "1.4.2" },
      { name: "envoyproxy/envoy", tag: "v1.31.0", digest: D1 },
      { name: "redis", tag: "7.4.0" },
    ]);
    expect(diffOf(r, "charts/shop/values.yaml")).toEqual({
      removed: ['    tag: "1.4.0"', "        tag: v1.30.0", '        digest: ""', "      tag: '7.2.4'"],
      added: ['    tag: "1.4.2"', "        tag: v1.31.0", `        digest: "${D1}"`, "      tag: '7.4.0'"],
    });
    expect(r.applied.map((a) => [a.via, a.from, a.to, a.line])).toEqual([
      ["helm-values", "ghcr.io/example/guestbook:1.4.0", "ghcr.io/example/guestbook:1.4.2", 5],
      ["helm-values", "docker.io/envoyproxy/envoy:v1.30.0", `docker.io/envoyproxy/envoy:v1.31.0@${D1}`, 12],
      ["helm-values", "docker.io/library/redis:7.2.4", "docker.io/library/redis:7.4.0", 18],
    ]);
    expect(parse(change(r, "charts/shop/values.yaml").after).frontend.sidecars[0].image.digest).toBe(D1);
  });

  it("does not place a digest alone in a map that has nowhere to put it", () => {
    const r = updateImagesInSources({ "charts/shop/values.yaml": values }, [{ name: "redis", digest: D1 }]);
    expect(r.files).toEqual([]);
    expect(r.unmatched).toEqual(["redis"]);
  });
});

describe("plain image fields and multi-document files", () => {
  const multi = `# workloads
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/example/api:1.0.0   # current
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: report
              image: 'ghcr.io/example/api:1.0.0'
---
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageRepository
metadata:
  name: api
spec:
  image: ghcr.io/example/api
  interval: 5m
`;

  it("rewrites plain fields in every document only when allowed", () => {
    expect(updateImagesInSources({ "app/all.yaml": multi }, [{ name: "ghcr.io/example/api", tag: "1.1.0" }])).toEqual({
      files: [],
      applied: [],
      unmatched: ["ghcr.io/example/api"],
    });
    const r = updateImagesInSources({ "app/all.yaml": multi }, [{ name: "ghcr.io/example/api", tag: "1.1.0" }], { allowPlainImageFields: true });
    expect(diffOf(r, "app/all.yaml")).toEqual({
      removed: ["          image: ghcr.io/example/api:1.0.0   # current", "              image: 'ghcr.io/example/api:1.0.0'"],
      added: ["          image: ghcr.io/example/api:1.1.0   # current", "              image: 'ghcr.io/example/api:1.1.0'"],
    });
    expect(r.applied.map((a) => [a.via, a.line])).toEqual([
      ["image-field", 11],
      ["image-field", 25],
    ]);
    const docs = parseAllDocuments(change(r, "app/all.yaml").after) as Array<{ toJS(): Record<string, any> }>;
    expect(docs).toHaveLength(3);
    expect(docs[2]!.toJS().spec.image).toBe("ghcr.io/example/api"); // a repository to scan, not a running image
  });

  it("handles multi-document files with markers in several documents", () => {
    const marked = multi
      .replace("1.0.0   # current", "1.0.0   # tideline:image")
      .replace("'ghcr.io/example/api:1.0.0'", "'ghcr.io/example/api:1.0.0' # tideline:image");
    const r = updateImagesInSources({ "app/all.yaml": marked }, [{ name: "ghcr.io/example/api", digest: D2 }]);
    expect(diffOf(r, "app/all.yaml").added).toEqual([
      `          image: ghcr.io/example/api@${D2}   # tideline:image`,
      `              image: 'ghcr.io/example/api@${D2}' # tideline:image`,
    ]);
    expect(r.applied.every((a) => a.via === "setter")).toBe(true);
  });
});

describe("reporting and errors", () => {
  it("reports names it could not place", () => {
    const r = updateImagesInSources(
      { [OVERLAY]: overlay, [BASE_DEPLOY]: baseDeployment },
      [
        { name: "ghcr.io/example/guestbook", tag: "1.4.2" },
        { name: "ghcr.io/example/nowhere", tag: "1.0.0" },
        { name: "quay.io/other/thing", digest: D1 },
      ],
      { targetKustomization: OVERLAY },
    );
    expect(r.unmatched).toEqual(["ghcr.io/example/nowhere", "quay.io/other/thing"]);
    expect(r.applied.map((a) => a.name)).toEqual(["ghcr.io/example/guestbook"]);
  });

  it("refuses a file that is not valid YAML, naming the path and line", () => {
    const bad = "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [1, 2\n  b: c\n";
    let error: unknown;
    try {
      updateImagesInSources({ [OVERLAY]: overlay, "apps/guestbook/overlays/prod/broken.yaml": bad }, [{ name: "ghcr.io/example/guestbook", tag: "1.4.2" }]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("invalid");
    expect((error as AppError).message).toMatch(/^apps\/guestbook\/overlays\/prod\/broken\.yaml line [45]: \S/);
    expect(() => currentImagesInSources({ "x.yml": "a: b: c\n" })).toThrow(/^x\.yml line 1: /);
  });

  it("rejects malformed update requests and an unknown target", () => {
    const files = { [OVERLAY]: overlay };
    expect(() => updateImagesInSources(files, [{ name: "ghcr.io/example/guestbook:1.0", tag: "1.1" }])).toThrow(AppError);
    expect(() => updateImagesInSources(files, [{ name: "ghcr.io/example/guestbook" }])).toThrow(/tag or a digest/);
    expect(() => updateImagesInSources(files, [{ name: "ghcr.io/example/guestbook", tag: "bad tag" }])).toThrow(AppError);
    expect(() =>
      updateImagesInSources(files, [
        { name: "redis", tag: "7" },
        { name: "docker.io/library/redis", tag: "8" },
      ]),
    ).toThrow(/twice/);
    expect(() => updateImagesInSources(files, [{ name: "redis", tag: "7" }], { targetKustomization: "elsewhere/kustomization.yaml" })).toThrow(
      /not among the supplied files/,
    );
  });

  it("refuses two updates that would write the same line", () => {
    // `sidecar` (the entry's name) and its newName are different images, but share one newTag.
    expect(() =>
      updateImagesInSources({ [OVERLAY]: overlay }, [
        { name: "sidecar", tag: "3.0.0" },
        { name: "registry.internal/mirror/sidecar", tag: "3.0.1" },
      ]),
    ).toThrow(/^apps\/guestbook\/overlays\/prod\/kustomization\.yaml line 13: registry\.internal\/mirror\/sidecar and sidecar would both be written here$/);
  });

  it("lists what every strategy currently sets", () => {
    const current = currentImagesInSources({
      [OVERLAY]: overlay,
      [BASE_DEPLOY]: baseDeployment.replace("migrate:0.9.0", "migrate:0.9.0 # tideline:image"),
      "charts/shop/values.yaml": 'image:\n  repository: redis\n  tag: 7.2.4 # {"$imagepolicy": "infra:redis:tag"}\n',
      "README.md": "# not yaml: [",
    });
    expect(current).toEqual(
      [
        { via: "setter", path: BASE_DEPLOY, line: 10, name: "ghcr.io/example/migrate", tag: "0.9.0", ref: "ghcr.io/example/migrate:0.9.0", field: "ref" },
        { via: "image-field", path: BASE_DEPLOY, line: 13, name: "ghcr.io/example/guestbook", tag: "1.2.0", ref: "ghcr.io/example/guestbook:1.2.0" },
        { via: "image-field", path: BASE_DEPLOY, line: 15, name: "sidecar", tag: "1.0.0", ref: "sidecar:1.0.0" },
        { via: "kustomize-images", path: OVERLAY, line: 9, name: "ghcr.io/example/guestbook", tag: "1.4.1", ref: "ghcr.io/example/guestbook:1.4.1" },
        {
          via: "kustomize-images",
          path: OVERLAY,
          line: 11,
          name: "registry.internal/mirror/sidecar",
          tag: "2.0.0",
          ref: "registry.internal/mirror/sidecar:2.0.0",
        },
        { via: "kustomize-images", path: OVERLAY, line: 14, name: "ghcr.io/example/flow", tag: "v1", ref: "ghcr.io/example/flow:v1" },
        {
          via: "imagepolicy-marker",
          path: "charts/shop/values.yaml",
          line: 3,
          name: "redis",
          tag: "7.2.4",
          ref: "redis:7.2.4",
          policy: "infra:redis",
          field: "tag",
        },
        { via: "helm-values", path: "charts/shop/values.yaml", line: 3, name: "redis", tag: "7.2.4", ref: "redis:7.2.4" },
      ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line)),
    );
  });
});

describe("a 50-image environment", () => {
  it("places all fifty versions, each as a one-line change", () => {
    const names = Array.from({ length: 50 }, (_, i) => `ghcr.io/example/svc-${String(i).padStart(2, "0")}`);
    const kustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
${names.map((_, i) => `  - svc-${i}.yaml`).join("\n")}
images:
${names.map((n, i) => `  # service ${i}\n  - name: ${n}\n    newTag: 1.0.${i}`).join("\n")}
`;
    const files: Record<string, string> = { "envs/big/kustomization.yaml": kustomization };
    names.forEach((n, i) => {
      files[`envs/big/svc-${i}.yaml`] =
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-${i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${n}:0.0.1\n`;
    });
    const updates = names.map((name, i) => ({ name, tag: `2.0.${i}`, ...(i % 10 === 0 ? { digest: `sha256:${String(i % 10).repeat(64)}` } : {}) }));
    const r = updateImagesInSources(files, updates, { targetKustomization: "envs/big/kustomization.yaml" });
    expect(r.unmatched).toEqual([]);
    expect(r.applied).toHaveLength(50);
    expect(r.files.map((f) => f.path)).toEqual(["envs/big/kustomization.yaml"]);
    const diff = diffOf(r, "envs/big/kustomization.yaml");
    expect(diff.removed).toHaveLength(50);
    expect(diff.added).toHaveLength(55);
    const images = parse(change(r, "envs/big/kustomization.yaml").after).images as Array<{ name: string; newTag: string; digest?: string }>;
    expect(images).toEqual(updates.map((u) => ({ name: u.name, newTag: u.tag, ...(u.digest ? { digest: u.digest } : {}) })));
    for (const a of r.applied) expect(lineOf(change(r, "envs/big/kustomization.yaml").after, a.line)).toContain(a.to.split(":")[1]!.split("@")[0]);
  });
});

// ---------------------------------------------------------------- the demo repository's layout

/** Files as support/demo-repo.ts renders them (guestbook at 1.4.2 in dev and staging, 1.4.1 in prod). */
function demoFiles(prodTag = "1.4.1"): Record<string, string> {
  const overlayFor = (env: string, tag: string, replicas: number, patches: string[]) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: guestbook-${env}
resources:
  - ../../base
images:
  - name: ghcr.io/example/guestbook
    newTag: ${tag}
replicas:
  - name: guestbook
    count: ${replicas}
${patches.length ? `patches:\n${patches.map((p) => `  - path: ${p}`).join("\n")}\n` : ""}`;
  return {
    "apps/guestbook/base/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
labels:
  - pairs:
      app.kubernetes.io/part-of: guestbook
resources:
  - deployment.yaml
  - service.yaml
  - configmap.yaml
`,
    "apps/guestbook/base/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: guestbook
  labels:
    app.kubernetes.io/name: guestbook
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: guestbook
  template:
    metadata:
      labels:
        app.kubernetes.io/name: guestbook
    spec:
      containers:
        - name: guestbook
          image: ghcr.io/example/guestbook:1.2.0
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          envFrom:
            - configMapRef:
                name: guestbook-config
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 256Mi
`,
    "apps/guestbook/base/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: guestbook
  labels:
    app.kubernetes.io/name: guestbook
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: guestbook
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP
`,
    "apps/guestbook/base/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: guestbook-config
  labels:
    app.kubernetes.io/name: guestbook
data:
  LOG_LEVEL: "info"
  FEATURE_NEW_UI: "true"
  SESSION_TTL_SECONDS: "3600"
`,
    "apps/guestbook/overlays/staging/kustomization.yaml": overlayFor("staging", "1.4.2", 2, []),
    "apps/guestbook/overlays/prod/kustomization.yaml": overlayFor("prod", prodTag, 4, ["deployment-patch.yaml"]),
    "apps/guestbook/overlays/prod/deployment-patch.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: guestbook
spec:
  template:
    spec:
      containers:
        - name: guestbook
          resources:
            requests:
              cpu: 250m
              memory: 256Mi
            limits:
              cpu: "1"
              memory: 512Mi
`,
    "charts/redis/Chart.yaml": `apiVersion: v2
name: redis
description: Small Redis cache used by guestbook for session storage
type: application
version: 0.2.0
appVersion: "7.2.4"
`,
    "charts/redis/values.yaml": `image:
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
    "charts/redis/values-prod.yaml": "replicaCount: 2\nresources:\n  requests:\n    cpu: 50m\n    memory: 64Mi\n  limits:\n    cpu: 500m\n    memory: 1Gi\n",
    "charts/redis/templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "redis.fullname" . }}
  labels:
    {{- include "redis.labels" . | nindent 4 }}
spec:
  template:
    spec:
      containers:
        - name: redis
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
`,
    "charts/redis/templates/_helpers.tpl": `{{- define "redis.fullname" -}}\n{{ .Release.Name }}\n{{- end -}}\n`,
  };
}

describe("the demo repository", () => {
  const prodFiles = () =>
    Object.fromEntries(Object.entries(demoFiles()).filter(([p]) => p.startsWith("apps/guestbook/base/") || p.startsWith("apps/guestbook/overlays/prod/")));

  it("promotes staging's versions to prod as a one-line change", () => {
    const staging = currentImagesInSources(Object.fromEntries(Object.entries(demoFiles()).filter(([p]) => p.startsWith("apps/guestbook/overlays/staging/"))));
    expect(staging).toEqual([
      {
        via: "kustomize-images",
        path: "apps/guestbook/overlays/staging/kustomization.yaml",
        line: 7,
        name: "ghcr.io/example/guestbook",
        tag: "1.4.2",
        ref: "ghcr.io/example/guestbook:1.4.2",
      },
    ]);
    const updates = staging.map((c) => ({ name: c.name!, tag: c.tag! }));
    const r = updateImagesInSources(prodFiles(), updates, { targetKustomization: "apps/guestbook/overlays/prod/kustomization.yaml" });
    expect(r.unmatched).toEqual([]);
    expect(r.files).toEqual([
      {
        path: "apps/guestbook/overlays/prod/kustomization.yaml",
        before: demoFiles()["apps/guestbook/overlays/prod/kustomization.yaml"],
        after: demoFiles("1.4.2")["apps/guestbook/overlays/prod/kustomization.yaml"],
      },
    ]);
    expect(r.applied).toEqual([
      {
        name: "ghcr.io/example/guestbook",
        from: "ghcr.io/example/guestbook:1.4.1",
        to: "ghcr.io/example/guestbook:1.4.2",
        path: "apps/guestbook/overlays/prod/kustomization.yaml",
        line: 8,
        via: "kustomize-images",
        changed: true,
      },
    ]);
  });

  it("writes a newly pushed Redis tag into the chart's values, skipping Helm templates", () => {
    const chart = Object.fromEntries(Object.entries(demoFiles()).filter(([p]) => p.startsWith("charts/redis/")));
    const r = updateImagesInSources(chart, [{ name: "redis", tag: "7.4.1" }]);
    expect(r.files.map((f) => f.path)).toEqual(["charts/redis/values.yaml"]);
    expect(diffOf(r, "charts/redis/values.yaml")).toEqual({ removed: ['  tag: "7.4.1"'.replace("7.4.1", "7.2.4")], added: ['  tag: "7.4.1"'] });
    expect(r.applied).toMatchObject([{ via: "helm-values", from: "docker.io/library/redis:7.2.4", to: "docker.io/library/redis:7.4.1", line: 3 }]);
  });
});
