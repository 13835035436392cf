import { CommitView } from "@/components/repositories/commit-view";

export default async function CommitPage({ params }: { params: Promise<{ id: string; sha: string }> }) {
  const { id, sha } = await params;
  return <CommitView repositoryId={id} sha={sha} />;
}
