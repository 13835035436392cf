// The composition root's part for notifications and freeze windows: what their lib modules need
// from this process's configuration (sealing keys, the outbound allow-list, SMTP).
import { db } from "../lib/db";
import { env } from "../lib/env";
import { seal, unseal } from "../lib/crypto/keyring";
import { queueSpec } from "../lib/jobs/queues";
import type { DeliverDeps } from "../lib/notifications/deliver";
import type { ManageDeps } from "../lib/notifications/manage";

export const notifyDeps = (): DeliverDeps => ({
  prisma: db(),
  unseal,
  allowedHosts: env().TIDELINE_OUTBOUND_HOSTS,
  smtp: env().TIDELINE_SMTP_URL ? { url: env().TIDELINE_SMTP_URL!, from: env().TIDELINE_SMTP_FROM } : undefined,
  publicUrl: env().TIDELINE_PUBLIC_URL,
  retryLimit: queueSpec("notification.deliver").retryLimit,
});

export const notifyManageDeps = (): ManageDeps => ({ prisma: db(), seal, allowedHosts: env().TIDELINE_OUTBOUND_HOSTS });
