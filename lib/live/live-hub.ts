// The process's live feeds: one EnvironmentChannel per environment with open streams, fed by
// the watch cache and by database notifications. A channel outlives its last stream for a
// while, so a client that reconnects (a flaky network, a 5-minute stream rotation) resumes
// from its Last-Event-ID instead of starting over.
import { EnvironmentChannel, type ChannelDeps, type LiveMessage } from "./environment-channel";
import type { NotificationSource } from "./pg-notifications";

export interface LiveHubDeps extends ChannelDeps {
  notifications: NotificationSource;
  /** How long a channel without streams is kept for resumption (default 2 minutes). */
  lingerMs?: number;
}

export class LiveHub {
  private channels = new Map<string, { channel: EnvironmentChannel; linger?: NodeJS.Timeout; stopNotifications: () => void }>();

  constructor(private readonly deps: LiveHubDeps) {}

  /** Streams one environment's messages to `send` from `lastEventId` on; returns the unsubscribe. */
  async subscribe(environmentId: string, send: (m: LiveMessage) => void, lastEventId: string | null): Promise<() => void> {
    const entry = this.entry(environmentId);
    clearTimeout(entry.linger);
    entry.linger = undefined;
    let unsubscribe: () => void;
    try {
      unsubscribe = await entry.channel.subscribe(send, lastEventId);
    } catch (e) {
      this.release(environmentId);
      throw e;
    }
    return () => {
      unsubscribe();
      this.release(environmentId);
    };
  }

  channelCount(): number {
    return this.channels.size;
  }

  close(): void {
    for (const id of [...this.channels.keys()]) this.drop(id);
  }

  private entry(environmentId: string) {
    let entry = this.channels.get(environmentId);
    if (!entry) {
      const channel = new EnvironmentChannel(environmentId, this.deps);
      const stopNotifications = this.deps.notifications.subscribe((n) => channel.onNotification(n));
      entry = { channel, stopNotifications };
      this.channels.set(environmentId, entry);
    }
    return entry;
  }

  private release(environmentId: string) {
    const entry = this.channels.get(environmentId);
    if (!entry || entry.channel.size > 0 || entry.linger) return;
    entry.linger = setTimeout(() => this.drop(environmentId), this.deps.lingerMs ?? 120_000);
    entry.linger.unref();
  }

  private drop(environmentId: string) {
    const entry = this.channels.get(environmentId);
    if (!entry) return;
    clearTimeout(entry.linger);
    entry.stopNotifications();
    entry.channel.close();
    this.channels.delete(environmentId);
  }
}
