import { ChangeList } from "@/components/changes/change-list";
import { requireUser } from "@/lib/auth/current-user";

export default async function ChangesPage({ searchParams }: { searchParams: Promise<{ repositoryId?: string }> }) {
  await requireUser();
  const { repositoryId } = await searchParams;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Change requests</h1>
      <ChangeList initialRepositoryId={repositoryId} />
    </div>
  );
}
