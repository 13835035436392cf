// Server-side apply (field manager "tideline"), for real or as a dry-run, and deletion.
import { collectionPath, type ResourceType } from "../kube/discovery";
import { kubeRequest, type KubeClient } from "../kube/transport";
import type { KubeObject } from "../kube/watch-stream";
import type { Manifest } from "../render/manifest";

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

export async function deleteObject(client: KubeClient, type: ResourceType, namespace: string | undefined, name: string): Promise<void> {
  await kubeRequest(client, "DELETE", objectPath(type, namespace, name), { body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" }, timeoutMs: 30_000 });
}
