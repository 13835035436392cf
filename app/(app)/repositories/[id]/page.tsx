import { RepositoryView } from "@/components/repositories/repository-view";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function RepositoryPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  return <RepositoryView id={id} canFetch={can(user.role, "repository.fetch")} />;
}
