// Kubeconfig problems are caught at registration, each with a message saying what to fix.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { listContexts, reduceToContext } from "../../lib/kube/kubeconfig";
import { parseLabelSelector } from "../../lib/kube/label-selector";

let certData = "";
let dir = "";
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "tideline-kc-"));
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
      "1",
      "-subj",
      "/CN=dev",
      "-keyout",
      path.join(dir, "k.pem"),
      "-out",
      path.join(dir, "c.pem"),
    ],
    { stdio: "ignore" },
  );
  certData = readFileSync(path.join(dir, "c.pem")).toString("base64");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(user: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c1", cluster: { server: "https://127.0.0.1:6443", "certificate-authority-data": "Zm9v" } }],
    users: [{ name: "u1", user }],
    contexts: [
      { name: "dev", context: { cluster: "c1", user: "u1", namespace: "apps" } },
      { name: "other", context: { cluster: "c1", user: "u1" } },
    ],
    "current-context": "dev",
    ...extra,
  });
}

describe("kubeconfig validation", () => {
  it("lists contexts with their server and marks the current one", () => {
    expect(listContexts(kubeconfig({ token: "t" }))).toEqual([
      { name: "dev", cluster: "c1", server: "https://127.0.0.1:6443", user: "u1", namespace: "apps", current: true },
      { name: "other", cluster: "c1", server: "https://127.0.0.1:6443", user: "u1", namespace: null, current: false },
    ]);
  });

  it("reduces to the chosen context only", () => {
    const reduced = reduceToContext(kubeconfig({ token: "t" }), "other");
    expect(listContexts(reduced.kubeconfig).map((c) => c.name)).toEqual(["other"]);
    expect(reduced.server).toBe("https://127.0.0.1:6443");
  });

  it.each([
    ["", /empty/],
    ["clusters: [unclosed", /not valid YAML/],
    ["- just\n- a list", /YAML mapping/],
    ["apiVersion: v1\nkind: Config\n", /no contexts/],
  ])("rejects malformed input %#", (text, message) => {
    expect(() => listContexts(text)).toThrow(message);
  });

  it("names a context that does not exist and lists the ones that do", () => {
    expect(() => reduceToContext(kubeconfig({ token: "t" }), "prod")).toThrow(/Context "prod" does not exist.*dev, other/);
  });

  it("refuses exec plugins unless allowed, and an allowed one that is not installed", () => {
    const exec = (command: string) => kubeconfig({ exec: { apiVersion: "client.authentication.k8s.io/v1", command } });
    const allow = (...execAllowlist: string[]) => ({ execAllowlist, execTimeoutMs: 1000, allowHttp: false });
    expect(() => reduceToContext(exec("true"), "dev")).toThrow(/exec credential plugin "true".*not allowed/);
    expect(() => reduceToContext(exec("gke-gcloud-auth-plugin-missing"), "dev", new Date(), allow("gke-gcloud-auth-plugin-missing"))).toThrow(
      /credential plugin "gke-gcloud-auth-plugin-missing", which is not installed/,
    );
    expect(() => reduceToContext(exec("true"), "dev", new Date(), allow("true"))).not.toThrow();
  });

  it("refuses the removed auth-provider mechanism", () => {
    expect(() => reduceToContext(kubeconfig({ "auth-provider": { name: "gcp" } }), "dev")).toThrow(/removed auth-provider "gcp"/);
  });

  it("refuses an expired client certificate", () => {
    const config = kubeconfig({ "client-certificate-data": certData, "client-key-data": "x" });
    expect(() => reduceToContext(config, "dev")).not.toThrow();
    expect(() => reduceToContext(config, "dev", new Date(Date.now() + 3 * 86400_000))).toThrow(/client certificate of user "u1" expired/);
  });

  it("refuses references to local files the server cannot read", () => {
    expect(() => reduceToContext(kubeconfig({ "client-certificate": "/home/me/.kube/cert.pem" }), "dev")).toThrow(/embedded data/);
  });
});

describe("label selectors", () => {
  const labels = { app: "web", tier: "frontend", env: "prod" };
  it.each([
    ["", true],
    ["app=web", true],
    ["app==web,tier=frontend", true],
    ["app!=web", false],
    ["tier in (frontend, backend)", true],
    ["env notin (prod)", false],
    ["env", true],
    ["!legacy", true],
    ["!env", false],
  ])("%s -> %s", (selector, expected) => {
    expect(parseLabelSelector(selector)(labels)).toBe(expected);
  });
  it("rejects nonsense with an example of valid syntax", () => {
    expect(() => parseLabelSelector("app=~web")).toThrow(/examples/);
  });
});
