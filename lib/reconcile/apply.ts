// Server-side apply (field manager "tideline"), for real or as a dry-run, and deletion.
import { collectionPath, type ResourceType } from "../kube/discovery";
import { kubeRequest, type KubeClient } from "../kube/transport";
import type { KubeObject } from "../kube/watch-stream";
import type { Manifest } from "../render/manifest";
import { AppError } from "../errors";
import { INVENTORY_LABEL as OWNER_LABEL } from "./desired";

export const FIELD_MANAGER = "tideline";

export function objectPath(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${collectionPath(type, type.namespaced ? namespace : undefined)}/${encodeURIComponent(name)}`;
}

export async function serverSideApply(client: KubeClient, type: ResourceType, manifest: Manifest, opts: { dryRun: boolean }): Promise<KubeObject> {
  return kubeRequest<KubeObject>(client, "PATCH", objectPath(type, manifest.metadata.namespace, manifest.metadata.name), {
    query: { fieldManager: FIELD_MANAGER, force: true, ...(opts.dryRun ? { dryRun: "All" } : {}) },
    contentType: "application/apply-patch+yaml",
    body: manifest,
    timeoutMs: 30_000,
  });
}

/**
 * Prune deletes only an object that, read just now, carries the inventory label (of `owner` when
 * given), with the uid and resourceVersion it was read at as preconditions: an object relabelled or
 * replaced in between answers 409 instead of being deleted.
 */
export async function deleteObject(client: KubeClient, type: ResourceType, namespace: string | undefined, name: string, owner?: string): Promise<void> {
  const path = objectPath(type, namespace, name);
  const live = await kubeRequest<KubeObject>(client, "GET", path, { timeoutMs: 30_000 });
  const label = live.metadata.labels?.[OWNER_LABEL];
  if (!label || (owner && label !== owner)) {
    throw new AppError(
      "conflict",
      `${type.kind} ${namespace ? `${namespace}/` : ""}${name} is not in this environment's inventory (label ${OWNER_LABEL}=${label ?? "absent"}); not deleted`,
    );
  }
  const preconditions = { uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion };
  await kubeRequest(client, "DELETE", path, {
    body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background", preconditions },
    timeoutMs: 30_000,
  });
}
