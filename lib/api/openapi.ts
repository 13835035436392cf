// The OpenAPI 3.1 document for the REST API's main actions (what CI and scripts use with an
// API token). Request shapes come from the same zod schemas the routes validate with.
import { z } from "zod";
import { overviewQuery, environmentSettings } from "../environments/schemas";
import { commitListQuery } from "../repositories/schemas";
import { listChangesQuery, mergeInput, previewEditInput, proposeChangeInput, reviewInput } from "../changes/schemas";
import { createPromotionInput, decisionInput, listPromotionsQuery, overrideInput, previewPromotionInput, rollbackInput } from "../promotions/schemas";
import { createPolicyInput, updatePolicyInput } from "../images/policies";

const json = (schema: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
};
const queryParams = (schema: z.ZodObject) =>
  Object.entries(json(schema).properties as Record<string, object>).map(([name, s]) => ({ name, in: "query", required: false, schema: s }));
const idParam = [{ name: "id", in: "path", required: true, schema: { type: "string" } }];
const errors = {
  "401": { description: "No valid session or API token", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  "403": { description: "The role or the token's scopes do not allow this action", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  "404": { description: "Not found", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  "422": { description: "Invalid input; the message names the field", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
};
const ok = (description: string) => ({ "200": { description, content: { "application/json": { schema: { type: "object" } } } }, ...errors });

const syncBody = z.object({
  dryRun: z.boolean().default(false).describe("true: only preview what would change"),
  objects: z.array(z.string()).optional().describe("object ids (apiVersion|kind|namespace|name) to sync; all when omitted"),
  expectedRevision: z.string().optional().describe("refuse with 409 if Git moved since the preview"),
});

export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: { title: "Tideline API", version: "1", description: "GitOps control room. Authenticate with `Authorization: Bearer <API token>` (create one on /tokens) or a session cookie." },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" }, session: { type: "apiKey", in: "cookie", name: "tideline_session" } },
      schemas: { Error: { type: "object", properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } }, required: ["code", "message"] } } } },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      "/api/environments": { get: { summary: "List environments with status (paginated, searchable)", "x-scope": "application.read", parameters: queryParams(overviewQuery), responses: ok("A page of environments") } },
      "/api/environments/{id}": {
        get: { summary: "One environment and its objects (sync status, health)", "x-scope": "application.read", parameters: idParam, responses: ok("The environment") },
        patch: { summary: "Change sync policy and ignore rules", "x-scope": "environment.configure", parameters: idParam, requestBody: { content: { "application/json": { schema: json(environmentSettings) } } }, responses: ok("Updated") },
      },
      "/api/environments/{id}/sync": {
        post: { summary: "Preview (dryRun) or start a sync; answers 202 with the sync run id", "x-scope": "environment.sync", parameters: idParam, requestBody: { content: { "application/json": { schema: json(syncBody) } } }, responses: { "202": { description: "Sync started: { runId }" }, ...ok("Dry-run preview"), "409": { description: "Another reconcile is running, or Git moved since the preview" } } },
      },
      "/api/environments/{id}/reconcile": { post: { summary: "Re-render and re-compare now", "x-scope": "environment.sync", parameters: idParam, responses: ok("The verdict") } },
      "/api/environments/{id}/syncs": { get: { summary: "Sync history", "x-scope": "application.read", parameters: idParam, responses: ok("Sync runs") } },
      "/api/sync-runs/{id}": { get: { summary: "One sync run with per-object outcomes (poll while status is running)", "x-scope": "application.read", parameters: idParam, responses: ok("The sync run") } },
      "/api/repositories": { get: { summary: "Tracked repositories", "x-scope": "repository.read", responses: ok("Repositories") } },
      "/api/repositories/{id}/fetch": { post: { summary: "Fetch now (then reconcile environments on moved branches)", "x-scope": "repository.fetch", parameters: idParam, responses: ok("Fetch outcome") } },
      "/api/repositories/{id}/commits": { get: { summary: "Commit history (cursor pagination)", "x-scope": "repository.read", parameters: [...idParam, ...queryParams(commitListQuery)], responses: ok("A page of commits") } },
      "/api/changes": {
        get: { summary: "Change requests (status, repository, kind, author filters; paginated)", "x-scope": "change.read", parameters: queryParams(listChangesQuery), responses: ok("A page of change requests") },
        post: { summary: "Propose file edits as a change request (commits on a new branch; 409 names conflicting files or an existing branch)", "x-scope": "change.propose", requestBody: { content: { "application/json": { schema: json(proposeChangeInput) } } }, responses: { "201": { description: "The change request" }, ...errors, "409": { description: "Branch exists, or the edit conflicts with the base" } } },
      },
      "/api/changes/preview": { post: { summary: "Build the edit's commit without pushing and show its per-environment impact", "x-scope": "change.propose", requestBody: { content: { "application/json": { schema: json(previewEditInput) } } }, responses: ok("Files and impact") } },
      "/api/changes/{id}": { get: { summary: "One change request: commits, files, reviews, mergeability", "x-scope": "change.read", parameters: idParam, responses: ok("The change request") } },
      "/api/changes/{id}/reviews": { post: { summary: "Approve, request changes or comment", "x-scope": "change.review", parameters: idParam, requestBody: { content: { "application/json": { schema: json(reviewInput) } } }, responses: { "201": { description: "The review" }, ...errors } } },
      "/api/changes/{id}/merge": { post: { summary: "Merge (merge commit or fast-forward) once the required reviews are in", "x-scope": "change.merge", parameters: idParam, requestBody: { content: { "application/json": { schema: json(mergeInput) } } }, responses: { ...ok("The merged change request"), "409": { description: "Not mergeable yet, or the base moved in a way that conflicts" } } } },
      "/api/applications/{id}/pipeline": { get: { summary: "The application's stages (images, chart, revision, health, holds) and what each arrow would promote", "x-scope": "promotion.read", parameters: idParam, responses: ok("Stages and arrows") } },
      "/api/promotions/preview": { post: { summary: "Preview a promotion: file changes, images, object diff, warnings, blockers and the previewHash to confirm", "x-scope": "promotion.create", requestBody: { content: { "application/json": { schema: json(previewPromotionInput) } } }, responses: ok("The preview") } },
      "/api/promotions": {
        get: { summary: "Promotions and rollbacks (filters; inbox=1: waiting for my approval)", "x-scope": "promotion.read", parameters: queryParams(listPromotionsQuery), responses: ok("Promotions") },
        post: { summary: "Start a promotion from a confirmed preview (commit, or a change request awaiting approval)", "x-scope": "promotion.create", requestBody: { content: { "application/json": { schema: json(createPromotionInput) } } }, responses: { "201": { description: "The promotion" }, ...errors, "409": { description: "stale (preview again), blockers, warnings (acknowledgeWarnings), or another promotion under way (promotionId)" } } },
      },
      "/api/promotions/{id}": { get: { summary: "One promotion with approvals, change request and timeline", "x-scope": "promotion.read", parameters: idParam, responses: ok("The promotion") } },
      "/api/promotions/{id}/decision": { post: { summary: "Approve or reject (not the author; once each); the last approval merges and syncs", "x-scope": "promotion.approve", parameters: idParam, requestBody: { content: { "application/json": { schema: json(decisionInput) } } }, responses: { ...ok("The promotion"), "409": { description: "Already decided, rejected, or not waiting for approval" } } } },
      "/api/promotions/{id}/override": { post: { summary: "Emergency override: land without the approvals (audited)", "x-scope": "promotion.override", parameters: idParam, requestBody: { content: { "application/json": { schema: json(overrideInput) } } }, responses: ok("The promotion") } },
      "/api/promotions/{id}/retry": { post: { summary: "Merge an approved promotion again", "x-scope": "promotion.approve", parameters: idParam, responses: ok("The promotion") } },
      "/api/environments/{id}/rollback-targets": { get: { summary: "Earlier successful syncs to roll back to (unavailable ones with the reason)", "x-scope": "promotion.read", parameters: idParam, responses: ok("Rollback targets") } },
      "/api/environments/{id}/rollback": { post: { summary: "Roll back to an earlier sync (auto-sync held, revert change request opened); emergency: admins skip approvals", "x-scope": "environment.rollback", parameters: idParam, requestBody: { content: { "application/json": { schema: json(rollbackInput) } } }, responses: { "201": { description: "The rollback (syncing, or awaiting approval)" }, ...errors, "409": { description: "The target is gone from the branch history, or another promotion is under way" } } } },
      "/api/environments/{id}/hold": { delete: { summary: "Release a rollback's sync hold", "x-scope": "environment.rollback", parameters: idParam, responses: ok("Released") } },
      "/api/clusters": { get: { summary: "Registered clusters and their connection state", "x-scope": "cluster.read", responses: ok("Clusters") } },
      "/api/images/policies": {
        get: { summary: "Image policies with their latest tag, last check and error", "x-scope": "image.read", responses: ok("Image policies") },
        post: { summary: "Watch an image repository and write its newest allowed tag into environments", "x-scope": "image.manage", requestBody: { content: { "application/json": { schema: json(createPolicyInput) } } }, responses: ok("The policy") },
      },
      "/api/images/policies/{id}": {
        get: { summary: "One image policy", "x-scope": "image.read", parameters: idParam, responses: ok("The policy") },
        patch: { summary: "Change an image policy", "x-scope": "image.manage", parameters: idParam, requestBody: { content: { "application/json": { schema: json(updatePolicyInput) } } }, responses: ok("The policy") },
      },
      "/api/images/policies/{id}/check": { post: { summary: "Check the registry now and write an update if there is one", "x-scope": "image.manage", parameters: idParam, responses: ok("What was written per environment") } },
      "/api/images/updates": { get: { summary: "The loop per update: image pushed -> commit or change request -> synced", "x-scope": "image.read", responses: ok("Image updates") } },
      "/api/webhooks/images": {
        post: {
          summary: "CI or registry: an image was pushed (simple JSON or a registry notification envelope); authenticate with an API token (image.manage) or X-Tideline-Signature/X-Tideline-Timestamp HMAC",
          "x-scope": "image.manage",
          requestBody: { content: { "application/json": { schema: { type: "object", properties: { image: { type: "string" }, tag: { type: "string" }, digest: { type: "string" } }, required: ["image"] } } } },
          responses: { "202": { description: "What was written per environment" }, ...errors },
        },
      },
    },
  };
}
