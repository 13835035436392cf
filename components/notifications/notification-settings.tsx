"use client";
// The Notifications page: my in-app subscriptions, channels and their subscriptions (admins),
// and the deliveries list with status, attempts and last error.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { Button, ErrorBox, relativeTime } from "../ui";
import { ScopePicker, useScopes } from "./scope-picker";

const EVENTS: Record<string, string> = {
  "sync.failed": "Sync failed",
  "health.degraded": "Health Degraded",
  "drift.detected": "Drift (auto-sync off)",
  "promotion.awaiting_approval": "Awaiting approval",
  "promotion.finished": "Promotion finished",
  "rollback.done": "Rollback done",
  "verification.failed": "Verification failed",
  "image.updated": "Image update written",
  "freeze.started": "Freeze started",
  "freeze.ended": "Freeze ended",
};

interface Channel {
  id: string;
  name: string;
  type: string;
  url: string | null;
  hasSecret: boolean;
  emailTo: string[];
  enabled: boolean;
}
interface Subscription {
  id: string;
  scopeType: string;
  scopeId: string;
  events: string[];
  channel: { id: string; name: string; type: string } | null;
  mine: boolean;
}
interface Delivery {
  id: string;
  eventType: string;
  title: string;
  channel: string;
  channelType: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export function NotificationSettings({ isAdmin }: { isAdmin: boolean }) {
  const qc = useQueryClient();
  const { label } = useScopes();
  const subs = useQuery({ queryKey: ["subscriptions"], queryFn: () => api<{ subscriptions: Subscription[] }>("/api/notifications/subscriptions") });
  const channels = useQuery({ queryKey: ["channels"], queryFn: () => api<{ channels: Channel[] }>("/api/notifications/channels"), enabled: isAdmin });
  const deliveries = useQuery({
    queryKey: ["deliveries"],
    queryFn: () => api<{ deliveries: Delivery[] }>("/api/notifications/deliveries?limit=50"),
    enabled: isAdmin,
    refetchInterval: 10_000,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ["subscriptions"] }).then(() => qc.invalidateQueries({ queryKey: ["channels"] }));
  const remove = useMutation({ mutationFn: (id: string) => api(`/api/notifications/subscriptions/${id}`, { method: "DELETE" }), onSuccess: refresh });
  return (
    <div className="space-y-8">
      <section>
        <h2 className="mb-2 text-lg font-semibold">Subscriptions</h2>
        <SubscriptionForm channels={channels.data?.channels ?? []} isAdmin={isAdmin} onDone={refresh} />
        <table className="mt-3 w-full text-sm" data-testid="subscriptions">
          <thead className="text-left text-slate-500">
            <tr>
              <th>Scope</th>
              <th>Events</th>
              <th>Where</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(subs.data?.subscriptions ?? []).map((s) => (
              <tr key={s.id} className="border-t border-slate-100">
                <td>
                  {s.scopeType} {label(s.scopeType, s.scopeId)}
                </td>
                <td>{s.events.map((e) => EVENTS[e] ?? "all").join(", ")}</td>
                <td>{s.channel ? `${s.channel.name} (${s.channel.type})` : "my in-app list"}</td>
                <td className="text-right">
                  {(s.mine || isAdmin) && (
                    <Button variant="secondary" onClick={() => remove.mutate(s.id)}>
                      Remove
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {isAdmin && (
        <section>
          <h2 className="mb-2 text-lg font-semibold">Channels</h2>
          <ChannelForm onDone={refresh} />
          <ul className="mt-3 space-y-1 text-sm" data-testid="channels">
            {(channels.data?.channels ?? []).map((c) => (
              <li key={c.id} className="font-mono">
                <span className="font-sans font-medium">{c.name}</span> · {c.type} · {c.url ?? c.emailTo.join(", ")}
                {c.hasSecret ? " · signed" : ""}
                {c.enabled ? "" : " · disabled"}
              </li>
            ))}
          </ul>
        </section>
      )}
      {isAdmin && (
        <section>
          <h2 className="mb-2 text-lg font-semibold">Deliveries</h2>
          <table className="w-full text-sm" data-testid="deliveries">
            <thead className="text-left text-slate-500">
              <tr>
                <th>When</th>
                <th>Event</th>
                <th>Channel</th>
                <th>Status</th>
                <th>Attempts</th>
                <th>Last error</th>
              </tr>
            </thead>
            <tbody>
              {(deliveries.data?.deliveries ?? []).map((d) => (
                <tr key={d.id} data-testid="delivery-row" className="border-t border-slate-100">
                  <td>{relativeTime(d.createdAt)}</td>
                  <td title={d.title}>
                    {EVENTS[d.eventType] ?? d.eventType}: <span className="text-slate-600">{d.title}</span>
                  </td>
                  <td>{d.channel}</td>
                  <td
                    data-testid="delivery-status"
                    className={d.status === "delivered" ? "text-emerald-700" : d.status === "failed" ? "text-rose-700" : "text-amber-700"}
                  >
                    {d.status}
                  </td>
                  <td>{d.attempts}</td>
                  <td className="max-w-xs truncate text-xs text-slate-600" title={d.lastError ?? ""}>
                    {d.lastError}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}

function SubscriptionForm({ channels, isAdmin, onDone }: { channels: Channel[]; isAdmin: boolean; onDone: () => void }) {
  const [scopeType, setScopeType] = useState("application");
  const [scopeId, setScopeId] = useState("");
  const [events, setEvents] = useState<string[]>(["sync.failed", "health.degraded", "promotion.awaiting_approval"]);
  const [channelId, setChannelId] = useState("");
  const save = useMutation({
    mutationFn: () => api("/api/notifications/subscriptions", { method: "POST", body: { scopeType, scopeId, events, ...(channelId ? { channelId } : {}) } }),
    onSuccess: onDone,
  });
  return (
    <form
      className="space-y-2 rounded border border-slate-200 p-3"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <ScopePicker
          types={["project", "application", "environment"]}
          scopeType={scopeType}
          scopeId={scopeId}
          onChange={(t, id) => {
            setScopeType(t);
            setScopeId(id);
          }}
        />
        <select
          data-testid="subscription-channel"
          className="rounded border border-slate-300 px-2 py-1"
          value={channelId}
          onChange={(e) => setChannelId(e.target.value)}
        >
          <option value="">my in-app list</option>
          {isAdmin &&
            channels.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.type})
              </option>
            ))}
        </select>
        <Button type="submit" disabled={!scopeId || events.length === 0 || save.isPending}>
          Subscribe
        </Button>
      </div>
      <div className="flex flex-wrap gap-3 text-xs">
        {Object.entries(EVENTS).map(([key, text]) => (
          <label key={key} className="flex items-center gap-1">
            <input
              type="checkbox"
              checked={events.includes(key)}
              onChange={(e) => setEvents((ev) => (e.target.checked ? [...ev, key] : ev.filter((x) => x !== key)))}
            />{" "}
            {text}
          </label>
        ))}
      </div>
      <ErrorBox error={save.error} />
    </form>
  );
}

function ChannelForm({ onDone }: { onDone: () => void }) {
  const [type, setType] = useState("slack");
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [secret, setSecret] = useState("");
  const [emailTo, setEmailTo] = useState("");
  const save = useMutation({
    mutationFn: () =>
      api("/api/notifications/channels", {
        method: "POST",
        body: {
          name,
          type,
          ...(type === "email"
            ? {
                emailTo: emailTo
                  .split(",")
                  .map((s) => s.trim())
                  .filter(Boolean),
              }
            : { url }),
          ...(type === "webhook" && secret ? { secret } : {}),
        },
      }),
    onSuccess: () => {
      setName("");
      setUrl("");
      setSecret("");
      onDone();
    },
  });
  return (
    <form
      className="flex flex-wrap items-center gap-2 rounded border border-slate-200 p-3 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <input
        aria-label="Channel name"
        placeholder="name"
        className="rounded border border-slate-300 px-2 py-1"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <select aria-label="Channel type" className="rounded border border-slate-300 px-2 py-1" value={type} onChange={(e) => setType(e.target.value)}>
        <option value="slack">Slack incoming webhook</option>
        <option value="webhook">Webhook (HMAC signed)</option>
        <option value="email">E-mail</option>
      </select>
      {type === "email" ? (
        <input
          aria-label="Recipients"
          placeholder="oncall@example.com, ..."
          className="w-72 rounded border border-slate-300 px-2 py-1"
          value={emailTo}
          onChange={(e) => setEmailTo(e.target.value)}
        />
      ) : (
        <input
          aria-label="URL"
          placeholder="https://hooks.slack.com/services/..."
          className="w-96 rounded border border-slate-300 px-2 py-1"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
      )}
      {type === "webhook" && (
        <input
          aria-label="Signing secret"
          type="password"
          placeholder="signing secret (16+ chars)"
          className="rounded border border-slate-300 px-2 py-1"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
        />
      )}
      <Button type="submit" disabled={!name || save.isPending}>
        Add channel
      </Button>
      <div className="w-full">
        <ErrorBox error={save.error} />
      </div>
    </form>
  );
}
