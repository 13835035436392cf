// The verification policy's pure parts: which Jobs are checks (never sync hooks), when verification
// runs at all, and the settings refused before anything is stored.
import { describe, expect, it } from "vitest";
import { hookOf } from "../../lib/reconcile/hooks";
import { assertVerificationSettings, verifies } from "../../lib/verification/policy";
import type { Manifest } from "../../lib/render/manifest";

const job = (annotations: Record<string, string>, kind = "Job"): Manifest =>
  ({ apiVersion: kind === "Job" ? "batch/v1" : "v1", kind, metadata: { name: "smoke", annotations } }) as Manifest;
const off = { verifyHealthyMinutes: 0, verifyTimeoutMinutes: 10, verifyJobs: false, verifyHttpUrl: null, autoRollback: false };

describe("verification policy", () => {
  it("a Job annotated tideline.dev/verify is a Verify-phase hook with its delete policy; other kinds are refused", () => {
    expect(hookOf(job({ "tideline.dev/verify": "true" }))).toMatchObject({ phases: ["Verify"], deletePolicies: ["BeforeHookCreation"] });
    expect(hookOf(job({ "tideline.dev/verify": "true", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded" }))?.deletePolicies).toEqual(["HookSucceeded"]);
    expect(hookOf(job({ "tideline.dev/verify": "false" }))).toBeNull();
    expect(() => hookOf(job({ "tideline.dev/verify": "true" }, "ConfigMap"))).toThrow(/tideline.dev\/verify is for Jobs/);
    // "Verify" is not a phase a sync hook may name.
    expect(() => hookOf(job({ "argocd.argoproj.io/hook": "Verify" }))).toThrow(/unknown hook "Verify"/);
  });

  it("runs when any part is on, and refuses a timeout shorter than the window or a host off the allow-list", () => {
    expect(verifies(off)).toBe(false);
    expect(verifies({ ...off, autoRollback: true })).toBe(true);
    expect(verifies({ ...off, verifyHttpUrl: "https://shop.example.com/healthz" })).toBe(true);
    expect(() => assertVerificationSettings({ verifyHealthyMinutes: 20 }, off, [])).toThrow(
      /verifyTimeoutMinutes: the timeout \(10 min\) is shorter than the healthy window \(20 min\)/,
    );
    expect(() => assertVerificationSettings({ verifyHttpUrl: "http://169.254.169.254/" }, off, ["shop.example.com"])).toThrow(
      /verifyHttpUrl: 169.254.169.254 is not an address/,
    );
    expect(() => assertVerificationSettings({ verifyHttpUrl: "https://shop.example.com/healthz" }, off, ["shop.example.com"])).not.toThrow();
  });
});
