// Channels (admins) and subscriptions (admins for channels; anyone for their own in-app list).
// URLs are checked against the outbound allow-list and sealed; lists show them masked.
import { z } from "zod";
import type { NotificationChannel, PrismaClient } from "../generated/prisma/client";
import { AppError, invalid, notFound } from "../errors";
import { assertAllowedDestination, maskUrl } from "../net/outbound-guard";
import { EVENT_TYPE_NAMES } from "./event-types";

export const createChannelInput = z.object({
  name: z.string().trim().min(1).max(100),
  type: z.enum(["slack", "webhook", "email"]),
  url: z.string().trim().max(2000).optional(),
  secret: z.string().min(16, "at least 16 characters").max(200).optional(),
  emailTo: z.array(z.email()).max(50).optional(),
  enabled: z.boolean().default(true),
});
export const updateChannelInput = createChannelInput.omit({ type: true }).partial();

export const createSubscriptionInput = z.object({
  scopeType: z.enum(["project", "application", "environment"]),
  scopeId: z.string().min(1).max(100),
  events: z.array(z.enum([...EVENT_TYPE_NAMES, "*"])).min(1),
  /** A channel (admins), or omitted: the caller's own in-app list. */
  channelId: z.string().min(1).optional(),
});

export interface ManageDeps {
  prisma: PrismaClient;
  seal: (plain: string) => string;
  allowedHosts: string[];
}

export const channelView = (c: NotificationChannel) => ({
  id: c.id,
  name: c.name,
  type: c.type,
  url: c.maskedUrl,
  hasSecret: Boolean(c.encryptedSecret),
  emailTo: c.emailTo,
  enabled: c.enabled,
  createdByName: c.createdByName,
  createdAt: c.createdAt,
});

function destination(deps: ManageDeps, type: string, url: string | undefined) {
  if (type === "email") return {};
  if (!url) throw invalid("url: a Slack or webhook channel needs its URL", { field: "url" });
  assertAllowedDestination(url, deps.allowedHosts, "url");
  return { encryptedUrl: deps.seal(url), maskedUrl: maskUrl(url) };
}

export async function createChannel(deps: ManageDeps, actorName: string, input: z.output<typeof createChannelInput>) {
  if (input.type === "email" && !input.emailTo?.length) throw invalid("emailTo: an e-mail channel needs at least one recipient", { field: "emailTo" });
  if (input.type !== "webhook" && input.secret) throw invalid("secret: only generic webhooks are signed", { field: "secret" });
  if (await deps.prisma.notificationChannel.findUnique({ where: { name: input.name } })) throw new AppError("conflict", `A channel named ${input.name} exists`);
  const row = await deps.prisma.notificationChannel.create({
    data: {
      name: input.name,
      type: input.type,
      ...destination(deps, input.type, input.url),
      encryptedSecret: input.secret ? deps.seal(input.secret) : null,
      emailTo: input.emailTo ?? [],
      enabled: input.enabled,
      createdByName: actorName,
    },
  });
  return channelView(row);
}

export async function updateChannel(deps: ManageDeps, id: string, input: z.output<typeof updateChannelInput>) {
  const before = await deps.prisma.notificationChannel.findUnique({ where: { id } });
  if (!before) throw notFound(`Channel ${id} does not exist`);
  const row = await deps.prisma.notificationChannel.update({
    where: { id },
    data: {
      ...(input.name ? { name: input.name } : {}),
      ...(input.url !== undefined ? destination(deps, before.type, input.url) : {}),
      ...(input.secret ? { encryptedSecret: deps.seal(input.secret) } : {}),
      ...(input.emailTo ? { emailTo: input.emailTo } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    },
  });
  return { before: channelView(before), after: channelView(row) };
}

export async function deleteChannel(prisma: PrismaClient, id: string) {
  const before = await prisma.notificationChannel.findUnique({ where: { id } });
  if (!before) throw notFound(`Channel ${id} does not exist`);
  await prisma.notificationChannel.delete({ where: { id } });
  return channelView(before);
}

export async function listChannels(prisma: PrismaClient) {
  return { channels: (await prisma.notificationChannel.findMany({ orderBy: { name: "asc" } })).map(channelView) };
}

async function assertScope(prisma: PrismaClient, scopeType: string, scopeId: string) {
  const model = { project: prisma.project, application: prisma.application, environment: prisma.environment }[scopeType] as unknown as {
    findUnique: (a: object) => Promise<unknown>;
  };
  if (!(await model.findUnique({ where: { id: scopeId }, select: { id: true } })))
    throw invalid(`scopeId: ${scopeType} ${scopeId} does not exist`, { field: "scopeId" });
}

export async function createSubscription(prisma: PrismaClient, user: { id: string; role: string }, input: z.output<typeof createSubscriptionInput>) {
  await assertScope(prisma, input.scopeType, input.scopeId);
  if (input.channelId) {
    if (user.role !== "admin") throw new AppError("forbidden", "Only an admin may subscribe a channel; omit channelId to subscribe your own in-app list");
    if (!(await prisma.notificationChannel.findUnique({ where: { id: input.channelId }, select: { id: true } })))
      throw invalid(`channelId: channel ${input.channelId} does not exist`, { field: "channelId" });
  }
  return prisma.notificationSubscription.create({
    data: {
      scopeType: input.scopeType,
      scopeId: input.scopeId,
      events: input.events,
      channelId: input.channelId ?? null,
      userId: input.channelId ? null : user.id,
    },
  });
}

export async function deleteSubscription(prisma: PrismaClient, user: { id: string; role: string }, id: string) {
  const sub = await prisma.notificationSubscription.findUnique({ where: { id } });
  if (!sub) throw notFound(`Subscription ${id} does not exist`);
  const own = sub.userId === user.id;
  if (!own && user.role !== "admin") throw new AppError("forbidden", "Only an admin may remove another person's or a channel's subscription");
  await prisma.notificationSubscription.delete({ where: { id } });
  return sub;
}

/** Channel subscriptions (everyone sees them) and the caller's own in-app ones. */
export async function listSubscriptions(prisma: PrismaClient, user: { id: string }) {
  const rows = await prisma.notificationSubscription.findMany({
    where: { OR: [{ channelId: { not: null } }, { userId: user.id }] },
    include: { channel: true },
    orderBy: { createdAt: "desc" },
    take: 1000,
  });
  return {
    subscriptions: rows.map((s) => ({
      id: s.id,
      scopeType: s.scopeType,
      scopeId: s.scopeId,
      events: s.events,
      channel: s.channel ? { id: s.channel.id, name: s.channel.name, type: s.channel.type } : null,
      mine: s.userId === user.id,
      createdAt: s.createdAt,
    })),
  };
}
