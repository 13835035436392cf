import { NotificationSettings } from "@/components/notifications/notification-settings";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function NotificationsPage() {
  const user = await requireUser();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Notifications</h1>
      <NotificationSettings isAdmin={can(user.role, "notification.manage")} />
    </div>
  );
}
