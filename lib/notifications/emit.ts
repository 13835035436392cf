// emitEvent: records one notification event (the outbox row), its deliveries (one per matching
// channel subscription, idempotency key event:subscription) and in-app entries in one transaction,
// and wakes the relay with a NOTIFY that Postgres sends only if that transaction commits. A crash
// at any point loses nothing: the relay also sweeps for deliveries no job was queued for.
import type { Prisma, PrismaClient } from "../generated/prisma/client";
import type { EventType } from "./event-types";

export const NOTIFY_CHANNEL = "tideline_notifications";

export interface EmitInput {
  type: EventType;
  title: string;
  body?: string;
  link?: string;
  environmentId?: string | null;
  applicationId?: string | null;
  projectId?: string | null;
  data?: Prisma.InputJsonValue;
  /** Emitting again with the same key (a retried job) records nothing new. */
  dedupeKey?: string;
  /** Users who get it in their in-app list whatever they subscribed to (approvers of a promotion). */
  recipients?: string[];
}

type Db = PrismaClient | Prisma.TransactionClient;

/** Inside a caller's transaction (pass its client) or in a transaction of its own. Returns the event id, or null when deduplicated. */
export async function emitEvent(prisma: Db, input: EmitInput): Promise<string | null> {
  if ("$transaction" in prisma) return prisma.$transaction((tx) => emitIn(tx, input));
  return emitIn(prisma, input);
}

async function emitIn(tx: Prisma.TransactionClient, input: EmitInput): Promise<string | null> {
  const scope = await resolveScope(tx, input);
  if (input.dedupeKey) {
    const seen = await tx.notificationEvent.findUnique({ where: { dedupeKey: input.dedupeKey }, select: { id: true } });
    if (seen) return null;
  }
  const event = await tx.notificationEvent.create({
    data: {
      type: input.type,
      title: input.title.slice(0, 500),
      body: (input.body ?? "").slice(0, 4000),
      link: input.link ?? null,
      data: input.data ?? {},
      dedupeKey: input.dedupeKey ?? null,
      ...scope,
    },
  });
  const scopes = [
    ...(scope.environmentId ? [{ scopeType: "environment", scopeId: scope.environmentId }] : []),
    ...(scope.applicationId ? [{ scopeType: "application", scopeId: scope.applicationId }] : []),
    ...(scope.projectId ? [{ scopeType: "project", scopeId: scope.projectId }] : []),
  ];
  const subs = scopes.length
    ? await tx.notificationSubscription.findMany({ where: { OR: scopes, events: { hasSome: [input.type, "*"] } }, include: { channel: true } })
    : [];
  const channelSubs = subs.filter((s) => s.channel?.enabled);
  if (channelSubs.length) {
    await tx.notificationDelivery.createMany({
      data: channelSubs.map((s) => ({
        eventId: event.id,
        subscriptionId: s.id,
        channelId: s.channel!.id,
        channelName: s.channel!.name,
        channelType: s.channel!.type,
        idempotencyKey: `${event.id}:${s.id}`,
      })),
      skipDuplicates: true,
    });
  }
  const users = new Set([...subs.filter((s) => !s.channelId && s.userId).map((s) => s.userId!), ...(input.recipients ?? [])]);
  if (users.size) await tx.notification.createMany({ data: [...users].map((userId) => ({ userId, eventId: event.id })), skipDuplicates: true });
  if (channelSubs.length) await tx.$executeRawUnsafe(`SELECT pg_notify('${NOTIFY_CHANNEL}', $1)`, event.id);
  return event.id;
}

async function resolveScope(tx: Prisma.TransactionClient, input: EmitInput) {
  let { environmentId = null, applicationId = null, projectId = null } = input;
  if (environmentId && !applicationId)
    applicationId = (await tx.environment.findUnique({ where: { id: environmentId }, select: { applicationId: true } }))?.applicationId ?? null;
  if (applicationId && !projectId)
    projectId = (await tx.application.findUnique({ where: { id: applicationId }, select: { projectId: true } }))?.projectId ?? null;
  return { environmentId, applicationId, projectId };
}
