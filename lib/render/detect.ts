// Picks the renderer for a folder the way Argo CD does: a kustomization file means
// Kustomize, a Chart.yaml means Helm, anything else is plain YAML/JSON (recursively).
export type RendererKind = "kustomize" | "helm" | "plain";

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export function detectRenderer(fileNames: string[]): RendererKind {
  if (fileNames.some((f) => KUSTOMIZATION_FILES.includes(f))) return "kustomize";
  if (fileNames.includes("Chart.yaml")) return "helm";
  return "plain";
}
