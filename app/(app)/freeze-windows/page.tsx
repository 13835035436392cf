import { FreezeWindows } from "@/components/freeze/freeze-windows";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function FreezeWindowsPage() {
  const user = await requireUser();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Freeze windows</h1>
      <p className="text-sm text-slate-600">
        While a window is open, syncs (auto-sync and self-heal too), promotions and image updates of its environments wait; drift is still detected. Times are
        computed in each window&apos;s time zone.
      </p>
      <FreezeWindows canManage={can(user.role, "freeze.manage")} />
    </div>
  );
}
