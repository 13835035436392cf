"use client";
// The header's bell: my unread notifications count and the latest few, marked read from here.
import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useUserLiveInterval } from "../live/user-live-status";
import { api } from "../api";
import { relativeTime } from "../ui";

export interface InboxItem {
  id: string;
  type: string;
  title: string;
  body: string;
  link: string | null;
  createdAt: string;
  read: boolean;
}

export function NotificationBell() {
  const [open, setOpen] = useState(false);
  const qc = useQueryClient();
  // Polls only while the live hint stream is down (components/live/use-live-hints.ts).
  const liveInterval = useUserLiveInterval(15_000);
  const inbox = useQuery({
    queryKey: ["notifications"],
    queryFn: () => api<{ unread: number; notifications: InboxItem[] }>("/api/notifications?limit=15"),
    refetchInterval: liveInterval,
  });
  const markAll = useMutation({
    mutationFn: () => api("/api/notifications/read", { method: "POST", body: { all: true } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["notifications"] }),
  });
  const unread = inbox.data?.unread ?? 0;
  return (
    <div className="relative">
      <button
        type="button"
        data-testid="notification-bell"
        aria-label={`Notifications (${unread} unread)`}
        onClick={() => setOpen((o) => !o)}
        className="relative rounded px-2 py-1 hover:bg-slate-100"
      >
        <span aria-hidden>🔔</span>
        {unread > 0 && (
          <span data-testid="notification-unread" className="absolute -right-1 -top-1 rounded-full bg-rose-600 px-1.5 text-xs font-semibold text-white">
            {unread}
          </span>
        )}
      </button>
      {open && (
        <div data-testid="notification-list" className="absolute right-0 z-20 mt-2 w-96 rounded-lg border border-slate-200 bg-white shadow-lg">
          <div className="flex items-center justify-between border-b border-slate-100 px-3 py-2">
            <span className="font-semibold">Notifications</span>
            <div className="flex gap-3 text-xs">
              {unread > 0 && (
                <button type="button" data-testid="notification-mark-all" className="text-sky-700 hover:underline" onClick={() => markAll.mutate()}>
                  Mark all read
                </button>
              )}
              <Link href="/notifications" className="text-sky-700 hover:underline" onClick={() => setOpen(false)}>
                Settings
              </Link>
            </div>
          </div>
          <ul className="max-h-96 overflow-y-auto">
            {(inbox.data?.notifications ?? []).map((n) => (
              <li
                key={n.id}
                data-testid="notification-item"
                data-read={n.read}
                className={`border-b border-slate-100 px-3 py-2 text-sm ${n.read ? "text-slate-500" : "bg-sky-50"}`}
              >
                {n.link ? (
                  <Link href={n.link} className="font-medium hover:underline" onClick={() => setOpen(false)}>
                    {n.title}
                  </Link>
                ) : (
                  <span className="font-medium">{n.title}</span>
                )}
                {n.body && <p className="truncate text-xs text-slate-600">{n.body}</p>}
                <p className="text-xs text-slate-400">{relativeTime(n.createdAt)}</p>
              </li>
            ))}
            {inbox.data && inbox.data.notifications.length === 0 && (
              <li className="px-3 py-4 text-sm text-slate-500">Nothing yet. Subscribe to events on the Notifications page.</li>
            )}
          </ul>
        </div>
      )}
    </div>
  );
}
