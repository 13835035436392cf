// Validates an editor buffer of a repository file: YAML syntax always, and the Kubernetes schema of
// the cluster of the environment whose folder holds the file (YAML only if that cluster is unreachable).
import type { PrismaClient } from "../generated/prisma/client";
import type { ClusterCache } from "../kube/cluster-cache";
import { schemasForCluster } from "../kube/openapi-schemas";
import { invalid, notFound } from "../errors";
import { normalizeRepoPath } from "../git/paths";
import {
  isHelmTemplate,
  parseManifest,
  validateAgainstSchema,
  validateYaml,
  type EditorMarker,
  type ParsedManifest,
  type SchemaLookup,
} from "./validate-manifest";
import type { YamlSource } from "../limits/yaml";
import { chunkNeedsSchemaCheck, sharedLookups, shiftMarkers, splitDocuments, type DocumentChunk } from "./screen-manifest";

export interface ValidateDeps {
  prisma: PrismaClient;
  cacheFor: (clusterId: string) => Promise<ClusterCache>;
}

export interface ValidateInput {
  repositoryId: string;
  /** Branch name or commit SHA; defaults to the repository's default branch. */
  ref?: string;
  path: string;
  content: string;
}

export interface ValidationResult {
  markers: EditorMarker[];
  environment: { id: string; name: string; application: { id: string; name: string }; cluster: { id: string; name: string } } | null;
  schemaSource: "cluster-openapi" | null;
  schemaError?: string;
  /** Why nothing was checked: not a YAML/JSON file, or a Helm template (valid only once rendered). */
  skipped?: "not-yaml" | "helm-template";
}

export const MAX_VALIDATE_BYTES = 5 * 1024 * 1024;

const inFolder = (folder: string, file: string) => folder === "" || file === folder || file.startsWith(`${folder}/`);

/** The environment a file belongs to: on the ref's branch first, then the most specific folder. */
async function environmentFor(prisma: PrismaClient, repositoryId: string, ref: string, path: string) {
  const isSha = /^[0-9a-f]{7,40}$/i.test(ref);
  const branch = ref.replace(/^refs\/heads\//, "");
  const candidates = (
    await prisma.environment.findMany({
      where: { repositoryId },
      include: { application: { select: { id: true, name: true } }, cluster: { select: { id: true, name: true } } },
      orderBy: [{ application: { name: "asc" } }, { position: "asc" }],
    })
  ).filter((e) => inFolder(e.path, path));
  const rank = (e: (typeof candidates)[number]) => (isSha || e.branch === branch ? 0 : 1);
  // Stable sort keeps the application/position order among equals.
  return candidates.sort((a, b) => rank(a) - rank(b) || b.path.length - a.path.length)[0] ?? null;
}

export async function validateRepositoryFile(deps: ValidateDeps, input: ValidateInput): Promise<ValidationResult> {
  if (Buffer.byteLength(input.content, "utf8") > MAX_VALIDATE_BYTES) throw invalid("content is larger than 5 MB", { field: "content" });
  const path = normalizeRepoPath(input.path);
  if (!path) throw invalid("path is required", { field: "path" });
  const repo = await deps.prisma.repository.findUnique({ where: { id: input.repositoryId }, select: { defaultBranch: true } });
  if (!repo) throw notFound(`Repository ${input.repositoryId} does not exist`);
  const env = await environmentFor(deps.prisma, input.repositoryId, input.ref || repo.defaultBranch || "main", path);
  const environment = env ? { id: env.id, name: env.name, application: env.application, cluster: env.cluster } : null;

  if (!/\.(ya?ml|json)$/i.test(path)) return { markers: [], environment, schemaSource: null, skipped: "not-yaml" };
  if (isHelmTemplate(path, input.content)) return { markers: [], environment, schemaSource: null, skipped: "helm-template" };

  const result: ValidationResult = { markers: [], environment, schemaSource: null };
  let schemaFor: SchemaLookup | null = null;
  if (env) {
    try {
      const cache = await deps.cacheFor(env.clusterId);
      const schemas = schemasForCluster(env.clusterId, cache.client);
      schemaFor = (apiVersion, kind) => schemas.lookup(apiVersion, kind);
    } catch (error) {
      result.schemaError = `Kubernetes schema checks skipped: ${(error as Error).message}`;
    }
  }
  const checked = await validateContent(input.content, { file: path, field: "content" }, schemaFor, path);
  result.markers = checked.markers;
  if (schemaFor && !checked.schemaError) result.schemaSource = "cluster-openapi";
  if (checked.schemaError) result.schemaError = `Kubernetes schema checks skipped: ${checked.schemaError}`;
  return result;
}

/**
 * YAML and (with `schemaFor`) schema markers of a file's content, sorted. Documents are screened
 * quickly and only those that could carry a marker are parsed with positions (screen-manifest.ts).
 * A failing schema lookup (cluster unreachable) leaves the YAML markers and says why.
 */
export async function validateContent(
  text: string,
  source: YamlSource,
  schemaFor: SchemaLookup | null,
  path?: string,
): Promise<{ markers: EditorMarker[]; schemaError?: string }> {
  const chunks = splitDocuments(text) ?? [{ text, lineOffset: 0, values: null }];
  const exact = new Map<DocumentChunk, ParsedManifest>();
  const parsed = (c: DocumentChunk) => {
    if (!exact.has(c)) exact.set(c, parseManifest(c.text, source));
    return exact.get(c)!;
  };
  const markers: EditorMarker[] = [];
  for (const c of chunks) if (!c.values) markers.push(...shiftMarkers(validateYaml(parsed(c)), c.lineOffset));
  let schemaError: string | undefined;
  if (schemaFor) {
    const lookup = sharedLookups(schemaFor);
    const schemaMarkers: EditorMarker[] = [];
    try {
      for (const c of chunks) {
        if (!(await chunkNeedsSchemaCheck(c, lookup))) continue;
        schemaMarkers.push(...shiftMarkers(await validateAgainstSchema(parsed(c), lookup, { path }), c.lineOffset));
      }
      markers.push(...schemaMarkers);
    } catch (error) {
      schemaError = (error as Error).message;
    }
  }
  markers.sort((a, b) => a.line - b.line || a.column - b.column);
  return { markers, ...(schemaError ? { schemaError } : {}) };
}
