// Wires lib modules to this process's configuration, so route handlers stay one call deep.
import { db } from "./db";
import { env } from "./env";
import { seal, unseal } from "./crypto/keyring";
import type { FetchDeps } from "./repositories/fetch-repository";
import type { BrowseDeps } from "./repositories/browse";
import type { ClusterDeps } from "./clusters/manage-clusters";
import type { ReconcileDeps } from "./reconcile/reconcile-environment";
import { cacheForClusterId } from "./clusters/registry";
import type { WriteDeps } from "./repositories/write-branch";
import type { MergeDeps } from "./changes/merge-change";
import type { AutomationDeps } from "./images/automation-types";

export const fetchDeps = (): FetchDeps => ({ prisma: db(), mirrorsDir: env().mirrorsDir, unseal });
export const browseDeps = (): BrowseDeps => ({ prisma: db(), mirrorsDir: env().mirrorsDir, maxFileBytes: env().TIDELINE_MAX_FILE_BYTES });
export const sealDeps = () => ({ prisma: db(), seal });
export const clusterDeps = (): ClusterDeps => ({ prisma: db(), seal, unseal });
export const reconcileDeps = (): ReconcileDeps => ({
  prisma: db(),
  mirrorsDir: env().mirrorsDir,
  dataDir: env().TIDELINE_DATA_DIR,
  cacheFor: (clusterId) => cacheForClusterId(db(), clusterId, unseal),
});

/** Pushes by Tideline are indexed at once (so pages and reconciles see them) and reconciled. */
export const writeDeps = (): WriteDeps => ({
  prisma: db(),
  mirrorsDir: env().mirrorsDir,
  unseal,
  onPushed: async (repositoryId) => {
    const { fetchAndReconcile } = await import("./repositories/background");
    // A fetch already running (timer, webhook) holds the lease; wait briefly for it rather than skip.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const outcome = await fetchAndReconcile(repositoryId);
      if (outcome.status === "fetched") return;
      await new Promise((r) => setTimeout(r, 250));
    }
  },
});

/** Change requests: writes as above, and a merge hands over to promotions (sync, rollback holds). */
export const changeDeps = (): MergeDeps => ({
  ...writeDeps(),
  afterMerge: async (cr) => {
    const { onChangeRequestMerged } = await import("./promotions/on-change-merged");
    await onChangeRequestMerged(cr);
  },
});

/** Image automation: writes like any Tideline push (indexed, reconciled), reads registries with fetch. */
export const imageDeps = (): AutomationDeps => writeDeps();
