// Sends one event to one channel: Slack incoming webhook (@slack/webhook), a generic webhook (JSON
// signed with HMAC-SHA256 of the raw body in X-Tideline-Signature-256) or e-mail (nodemailer over
// the configured SMTP server). Destinations are checked against the outbound allow-list first.
import { createHmac } from "node:crypto";
import { IncomingWebhook } from "@slack/webhook";
import nodemailer from "nodemailer";
import type { NotificationChannel, NotificationEvent } from "../generated/prisma/client";
import { AppError } from "../errors";
import { assertAllowedDestination } from "../net/outbound-guard";
import { EVENT_TYPES, type EventType } from "./event-types";

export interface SendDeps {
  unseal: (sealed: string) => string;
  allowedHosts: string[];
  smtp?: { url: string; from: string };
  publicUrl?: string;
  timeoutMs?: number;
}

export interface SendResult {
  status?: number;
}

export const SIGNATURE_HEADER = "X-Tideline-Signature-256";

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export function webhookPayload(event: NotificationEvent, deliveryKey: string, publicUrl?: string) {
  return {
    id: event.id,
    delivery: deliveryKey,
    type: event.type,
    label: EVENT_TYPES[event.type as EventType] ?? event.type,
    title: event.title,
    body: event.body,
    link: event.link ? absolute(event.link, publicUrl) : null,
    projectId: event.projectId,
    applicationId: event.applicationId,
    environmentId: event.environmentId,
    data: event.data,
    occurredAt: event.createdAt.toISOString(),
  };
}

const absolute = (link: string, base?: string) => (base && link.startsWith("/") ? new URL(link, base).toString() : link);

/** Slack message: a fallback text plus one section block with the title linked to Tideline. */
export function slackMessage(event: NotificationEvent, publicUrl?: string) {
  const label = EVENT_TYPES[event.type as EventType] ?? event.type;
  const link = event.link ? absolute(event.link, publicUrl) : null;
  const title = link && /^https?:/.test(link) ? `<${link}|${event.title}>` : event.title;
  return {
    text: `${label}: ${event.title}`,
    blocks: [{ type: "section", text: { type: "mrkdwn", text: `*${label}*\n${title}${event.body ? `\n${event.body}` : ""}` } }],
  };
}

export async function sendToChannel(deps: SendDeps, channel: NotificationChannel, event: NotificationEvent, deliveryKey: string): Promise<SendResult> {
  const timeout = deps.timeoutMs ?? 10_000;
  if (channel.type === "email") return sendEmail(deps, channel, event);
  if (!channel.encryptedUrl) throw new AppError("invalid", `Channel ${channel.name} has no URL`);
  const url = deps.unseal(channel.encryptedUrl);
  assertAllowedDestination(url, deps.allowedHosts);
  if (channel.type === "slack") {
    const hook = new IncomingWebhook(url, { timeout });
    await hook.send(slackMessage(event, deps.publicUrl));
    return { status: 200 };
  }
  const body = JSON.stringify(webhookPayload(event, deliveryKey, deps.publicUrl));
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Tideline-Notifications",
    "x-tideline-event": event.type,
    "x-tideline-delivery": deliveryKey,
  };
  if (channel.encryptedSecret) headers[SIGNATURE_HEADER] = signBody(deps.unseal(channel.encryptedSecret), body);
  const res = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(timeout) });
  await res.body?.cancel().catch(() => {});
  if (res.status < 200 || res.status >= 300)
    throw new AppError("unreachable", `HTTP ${res.status} from the receiver${res.status >= 300 && res.status < 400 ? " (redirects are not followed)" : ""}`, {
      status: res.status,
    });
  return { status: res.status };
}

async function sendEmail(deps: SendDeps, channel: NotificationChannel, event: NotificationEvent): Promise<SendResult> {
  if (!deps.smtp) throw new AppError("invalid", "E-mail notifications need TIDELINE_SMTP_URL (the SMTP server to send through)");
  if (!channel.emailTo.length) throw new AppError("invalid", `Channel ${channel.name} has no recipients`);
  const transport = nodemailer.createTransport(`${deps.smtp.url}${deps.smtp.url.includes("?") ? "&" : "?"}connectionTimeout=${deps.timeoutMs ?? 10_000}`);
  const label = EVENT_TYPES[event.type as EventType] ?? event.type;
  const link = event.link ? absolute(event.link, deps.publicUrl) : null;
  try {
    await transport.sendMail({
      from: deps.smtp.from,
      to: channel.emailTo,
      subject: `[Tideline] ${label}: ${event.title}`,
      text: [event.title, event.body, link ? `\n${link}` : ""].filter(Boolean).join("\n"),
      headers: { "X-Tideline-Event": event.type },
    });
  } finally {
    transport.close();
  }
  return {};
}
