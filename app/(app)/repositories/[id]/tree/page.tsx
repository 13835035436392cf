import { TreeBrowser } from "@/components/repositories/tree-browser";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function TreePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ ref?: string; path?: string; file?: string }>;
}) {
  const user = await requireUser();
  const { id } = await params;
  const { ref, path, file } = await searchParams;
  return <TreeBrowser repositoryId={id} gitRef={ref ?? ""} path={path ?? ""} file={file ?? null} canEdit={can(user.role, "change.propose")} />;
}
