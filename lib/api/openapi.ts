// The OpenAPI 3.1 document for the REST API's main actions (what CI and scripts use with an
// API token). Request shapes come from the same zod schemas the routes validate with.
import { z } from "zod";
import { overviewQuery, environmentSettings } from "../environments/schemas";
import { commitListQuery } from "../repositories/schemas";

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
      "/api/clusters": { get: { summary: "Registered clusters and their connection state", "x-scope": "cluster.read", responses: ok("Clusters") } },
    },
  };
}
