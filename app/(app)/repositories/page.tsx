import { RepositoryList } from "@/components/repositories/repository-list";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function RepositoriesPage() {
  const user = await requireUser();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Repositories</h1>
      <RepositoryList canCreate={can(user.role, "repository.create")} />
    </div>
  );
}
