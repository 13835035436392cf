// Wires lib modules to this process's configuration, so route handlers stay one call deep.
import { db } from "./db";
import { env } from "./env";
import { seal, unseal } from "./crypto/keyring";
import type { FetchDeps } from "./repositories/fetch-repository";
import type { BrowseDeps } from "./repositories/browse";
import type { ClusterDeps } from "./clusters/manage-clusters";
import type { ReconcileDeps } from "./reconcile/reconcile-environment";
import { cacheForClusterId } from "./clusters/registry";

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
