import { TreeBrowser } from "@/components/repositories/tree-browser";

export default async function TreePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ ref?: string; path?: string; file?: string }> }) {
  const { id } = await params;
  const { ref, path, file } = await searchParams;
  return <TreeBrowser repositoryId={id} gitRef={ref ?? ""} path={path ?? ""} file={file ?? null} />;
}
