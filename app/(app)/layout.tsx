import Link from "next/link";
import { requireUser } from "@/lib/auth/current-user";
import { SignOutButton } from "@/components/sign-out-button";
import { InboxBadge } from "@/components/promotions/inbox-badge";
import { can } from "@/lib/auth/roles";
import { NotificationBell } from "@/components/notifications/notification-bell";
import { LiveHints } from "@/components/live/live-hints";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  return (
    <div>
      <LiveHints />
      <header className="border-b border-slate-200 bg-white">
        <nav className="mx-auto flex max-w-7xl items-center gap-6 px-4 py-3 text-sm">
          <Link href="/" className="text-lg font-semibold text-sky-800">
            Tideline
          </Link>
          <Link href="/applications" className="hover:text-sky-700">
            Applications
          </Link>
          <Link href="/repositories" className="hover:text-sky-700">
            Repositories
          </Link>
          <Link href="/changes" className="hover:text-sky-700" data-testid="nav-changes">
            Change requests
          </Link>
          <Link href="/clusters" className="hover:text-sky-700">
            Clusters
          </Link>
          <Link href="/promotions" className="hover:text-sky-700" data-testid="nav-promotions">
            Promotions
            <InboxBadge />
          </Link>
          <Link href="/images" className="hover:text-sky-700">
            Images
          </Link>
          {can(user.role, "webhook.read") && (
            <Link href="/webhooks" className="hover:text-sky-700">
              Webhooks
            </Link>
          )}
          {can(user.role, "project.manage") && (
            <Link href="/projects" className="hover:text-sky-700" data-testid="nav-projects">
              Projects
            </Link>
          )}
          {user.role === "admin" && (
            <Link href="/users" className="hover:text-sky-700">
              Users
            </Link>
          )}
          {user.role === "admin" && (
            <Link href="/audit" className="hover:text-sky-700">
              Audit
            </Link>
          )}
          {can(user.role, "jobs.read") && (
            <Link href="/jobs" className="hover:text-sky-700" data-testid="nav-jobs">
              Jobs
            </Link>
          )}
          <Link href="/tokens" className="hover:text-sky-700">
            API tokens
          </Link>
          <Link href="/freeze-windows" className="hover:text-sky-700" data-testid="nav-freeze">
            Freezes
          </Link>
          <span className="ml-auto">
            <NotificationBell />
          </span>
          <span className="text-slate-600" data-testid="current-user">
            {user.username} · {user.role}
          </span>
          <SignOutButton />
        </nav>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </div>
  );
}
