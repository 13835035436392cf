// Sync hooks: objects that run at a point of a sync instead of being kept in line with Git
// (Argo CD's hook annotations, Tideline's own beside them, Helm's hooks mapped onto them).
// Hooks are not drift: they carry their own labels, not the inventory label, and are never pruned.
import { createHash } from "node:crypto";
import type { Manifest } from "../render/manifest";

// "Verify": a Job annotated tideline.dev/verify: "true", run by the verification after the sync
// (lib/verification), never by the sync itself.
export type HookPhase = "PreSync" | "Sync" | "PostSync" | "SyncFail" | "Skip" | "Verify";
export type DeletePolicy = "HookSucceeded" | "HookFailed" | "BeforeHookCreation";

export const HOOK_ANNOTATIONS = ["tideline.dev/hook", "argocd.argoproj.io/hook"] as const;
export const VERIFY_ANNOTATION = "tideline.dev/verify";
export const DELETE_POLICY_ANNOTATIONS = ["tideline.dev/hook-delete-policy", "argocd.argoproj.io/hook-delete-policy"] as const;
/** Which environment a hook object was created by (never the inventory label: hooks are not drift). */
export const HOOK_OF_LABEL = "app.tideline.dev/hook-of";
/** Which hook of the environment (a hash of kind + name or generateName): finds earlier runs' objects. */
export const HOOK_KEY_LABEL = "app.tideline.dev/hook";
/** The sync run (the first of a resumed chain) that created the object: a resumed run finds its hook again. */
export const HOOK_RUN_LABEL = "app.tideline.dev/hook-run";

const PHASES: HookPhase[] = ["PreSync", "Sync", "PostSync", "SyncFail", "Skip"];
const POLICIES: DeletePolicy[] = ["HookSucceeded", "HookFailed", "BeforeHookCreation"];
const HELM_PHASES: Record<string, HookPhase> = { "pre-install": "PreSync", "pre-upgrade": "PreSync", "post-install": "PostSync", "post-upgrade": "PostSync" };
const HELM_POLICIES: Record<string, DeletePolicy> = {
  "hook-succeeded": "HookSucceeded",
  "hook-failed": "HookFailed",
  "before-hook-creation": "BeforeHookCreation",
};

export interface HookSpec {
  /** Phases this object runs in (Argo allows a comma-separated list, e.g. "PreSync,PostSync"). */
  phases: HookPhase[];
  deletePolicies: DeletePolicy[];
  key: string;
}

const list = (v: string | undefined) =>
  (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** The hook an object declares, or null for an ordinary object. Throws on an unknown phase or policy. */
export function hookOf(m: Manifest): HookSpec | null {
  const a = m.metadata.annotations ?? {};
  if (a[VERIFY_ANNOTATION] === "true") {
    if (m.kind !== "Job") throw new Error(`${m.kind} ${m.metadata.name}: ${VERIFY_ANNOTATION} is for Jobs (a verification check succeeds or fails)`);
    const policies = list(DELETE_POLICY_ANNOTATIONS.map((k) => a[k]).find((v) => v !== undefined));
    for (const p of policies)
      if (!POLICIES.includes(p as DeletePolicy))
        throw new Error(`${m.kind} ${m.metadata.name}: unknown hook delete policy "${p}" (use one of ${POLICIES.join(", ")})`);
    return { phases: ["Verify"], deletePolicies: (policies.length ? [...new Set(policies)] : ["BeforeHookCreation"]) as DeletePolicy[], key: hookKey(m) };
  }
  const own = HOOK_ANNOTATIONS.map((k) => a[k]).find((v) => v !== undefined);
  let phases: HookPhase[] = [];
  let policies: string[] = list(DELETE_POLICY_ANNOTATIONS.map((k) => a[k]).find((v) => v !== undefined));
  if (own !== undefined) {
    for (const p of list(own)) {
      if (!PHASES.includes(p as HookPhase)) throw new Error(`${m.kind} ${m.metadata.name}: unknown hook "${p}" (use one of ${PHASES.join(", ")})`);
      phases.push(p as HookPhase);
    }
  } else if (a["helm.sh/hook"] !== undefined) {
    // Like Argo CD: install/upgrade hooks map onto PreSync/PostSync; other Helm hooks (test, delete, rollback) never run.
    const mapped = list(a["helm.sh/hook"]).map((h) => HELM_PHASES[h]);
    phases = mapped.some(Boolean) ? [...new Set(mapped.filter((p): p is HookPhase => Boolean(p)))] : ["Skip"];
    if (policies.length === 0) policies = list(a["helm.sh/hook-delete-policy"]).map((p) => HELM_POLICIES[p] ?? p);
  } else return null;
  if (phases.length === 0) return null;
  for (const p of policies)
    if (!POLICIES.includes(p as DeletePolicy))
      throw new Error(`${m.kind} ${m.metadata.name}: unknown hook delete policy "${p}" (use one of ${POLICIES.join(", ")})`);
  // Argo CD's default: the previous object of the hook is deleted just before a new one is created.
  const deletePolicies = (policies.length ? [...new Set(policies)] : ["BeforeHookCreation"]) as DeletePolicy[];
  return { phases, deletePolicies, key: hookKey(m) };
}

/** A label-safe identity of a hook within its environment, the same for every sync. */
export function hookKey(m: Manifest): string {
  const generateName = typeof m.metadata.generateName === "string" ? m.metadata.generateName : "";
  const name = generateName ? `generate:${generateName}` : m.metadata.name;
  return createHash("sha256")
    .update(`${m.apiVersion.split("/").length > 1 ? m.apiVersion.split("/")[0] : ""}/${m.kind}/${name}`)
    .digest("hex")
    .slice(0, 40);
}

/**
 * Hooks with generateName (and no name) are created anew each sync (POST); named ones are applied.
 * parseManifests gives such a hook its generateName as a placeholder name (never sent to the API).
 */
export const generatesName = (m: Manifest) =>
  typeof m.metadata.generateName === "string" && m.metadata.generateName !== "" && m.metadata.name === m.metadata.generateName;

/** The hook's weight: the same wave annotations as ordinary objects (or Helm's hook-weight). */
export function hookWave(m: Manifest): number {
  const a = m.metadata.annotations ?? {};
  for (const k of ["tideline.dev/sync-wave", "argocd.argoproj.io/sync-wave", "helm.sh/hook-weight"]) {
    const v = a[k];
    if (v !== undefined && /^-?\d+$/.test(v.trim())) return Number(v);
  }
  return 0;
}
