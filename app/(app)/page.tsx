import { RepositoryList } from "@/components/repositories/repository-list";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function HomePage() {
  const user = await requireUser();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Overview</h1>
      <p className="text-sm text-slate-600">Tracked repositories and their latest state. Environments and clusters appear here as they are added.</p>
      <RepositoryList canCreate={can(user.role, "repository.create")} />
    </div>
  );
}
