import Link from "next/link";
import { EditorPage } from "@/components/editor/editor-page";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function EditRepositoryPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ ref?: string; file?: string }>;
}) {
  const user = await requireUser();
  const { id } = await params;
  const { ref, file } = await searchParams;
  if (!can(user.role, "change.propose")) {
    return (
      <p className="text-sm text-slate-600" data-testid="editor-not-allowed">
        Your role ({user.role}) may not propose changes.{" "}
        <Link className="text-sky-700" href={`/repositories/${id}/tree${ref ? `?ref=${encodeURIComponent(ref)}` : ""}`}>
          Browse the files
        </Link>{" "}
        instead.
      </p>
    );
  }
  return <EditorPage repositoryId={id} initialRef={ref ?? ""} initialFile={file ?? null} />;
}
