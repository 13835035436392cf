// The OpenAPI 3.1 document for the REST API's main actions (what CI and scripts use with an
// API token). Request shapes come from the same zod schemas the routes validate with.
import { z } from "zod";
import { overviewQuery, createEnvironmentInput, updateEnvironmentInput, updateApplicationInput } from "../environments/schemas";
import { createProjectInput, projectMemberInput, updateProjectInput } from "../projects/schemas";
import { commitListQuery } from "../repositories/schemas";
import { listChangesQuery, mergeInput, previewEditInput, proposeChangeInput, reviewInput } from "../changes/schemas";
import {
  createPromotionInput,
  decisionInput,
  holdInput,
  listPromotionsQuery,
  overrideInput,
  previewPromotionInput,
  rollbackInput,
} from "../promotions/schemas";
import { createPolicyInput, updatePolicyInput } from "../images/policies";
import { jobActionInput, listJobsQuery } from "../jobs/admin";
import { inboxQuery, markReadInput } from "../notifications/inbox";
import { createChannelInput, createSubscriptionInput, updateChannelInput } from "../notifications/manage";
import { deliveriesQuery } from "../notifications/delivery-list";
import { createFreezeWindowInput, listFreezeWindowsQuery, updateFreezeWindowInput } from "../freeze/manage";

const json = (schema: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
};
const queryParams = (schema: z.ZodObject) =>
  Object.entries(json(schema).properties as Record<string, object>).map(([name, s]) => ({ name, in: "query", required: false, schema: s }));
const idParam = [{ name: "id", in: "path", required: true, schema: { type: "string" } }];
const deletePruneParam = {
  name: "prune",
  in: "query",
  required: true,
  schema: { type: "string", enum: ["true", "false"] },
  description: "true: delete the live objects carrying the inventory label; false: keep them",
};
const errors = {
  "401": { description: "No valid session or API token", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  "403": {
    description: "The role or the token's scopes do not allow this action",
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  },
  "404": { description: "Not found", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  "422": { description: "Invalid input; the message names the field", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
};
const ok = (description: string) => ({ "200": { description, content: { "application/json": { schema: { type: "object" } } } }, ...errors });

const syncBody = z.object({
  dryRun: z.boolean().default(false).describe("true: only preview what would change"),
  objects: z.array(z.string()).optional().describe("object ids (apiVersion|kind|namespace|name) to sync; all when omitted"),
  expectedRevision: z.string().optional().describe("refuse with 409 if Git moved since the preview"),
  prune: z
    .boolean()
    .optional()
    .describe("this sync only: true prunes objects removed from Git, false keeps them; the environment's prune setting when omitted"),
});

export function openApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "Tideline API",
      version: "1",
      description: "GitOps control room. Authenticate with `Authorization: Bearer <API token>` (create one on /tokens) or a session cookie.",
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" }, session: { type: "apiKey", in: "cookie", name: "tideline_session" } },
      schemas: {
        Error: {
          type: "object",
          properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } }, required: ["code", "message"] } },
        },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      "/api/environments": {
        get: {
          summary: "List environments with status (paginated, searchable)",
          "x-scope": "application.read",
          parameters: queryParams(overviewQuery),
          responses: ok("A page of environments"),
        },
      },
      "/api/environments/{id}": {
        get: {
          summary:
            "One environment, its objects (sync status, health) and runningSync: the sync running or queued now (phase, wave, what it waits for, hooks so far), null when none; verification: the latest verification after a sync (status running|passed|failed|superseded, windowProgress, checks, reason, rollback), null when none",
          "x-scope": "application.read",
          parameters: idParam,
          responses: ok("The environment"),
        },
        patch: {
          summary:
            "Change any setting or source field (sync policy, ignore rules, promotion, verification and auto-rollback (verifyHttpUrl's host must be on TIDELINE_OUTBOUND_HOSTS; verifyTimeoutMinutes at least verifyHealthyMinutes), branch, path, renderer, Helm release and values files); an unknown or read-only field (cluster, namespace) is a 422 naming it",
          "x-scope": "environment.configure",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(updateEnvironmentInput) } } },
          responses: ok("Updated"),
        },
        delete: {
          summary:
            "Delete the environment: prune=false keeps its live objects, prune=true deletes every live object carrying its inventory label (a job; 202) and then the environment (audited)",
          "x-scope": "environment.configure",
          parameters: [...idParam, deletePruneParam],
          responses: {
            ...ok("Deleted (objects kept)"),
            "202": { description: "Pruning its objects; the environment goes when they are gone" },
            "409": { description: "A promotion into it is landing, or it is already being deleted" },
          },
        },
      },
      "/api/environments/{id}/deletion": {
        get: {
          summary: "What deleting with prune would delete: the live objects carrying the environment's inventory label",
          "x-scope": "application.read",
          parameters: idParam,
          responses: ok("{ liveObjects, objects }"),
        },
      },
      "/api/applications/{id}/environments": {
        post: {
          summary: "Add an environment (branch omitted: the repository's default branch)",
          "x-scope": "application.manage",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(createEnvironmentInput) } } },
          responses: { "201": { description: "The environment" }, ...errors },
        },
      },
      "/api/applications/{id}/deletion": {
        get: {
          summary: "What deleting the application with prune would delete, per environment",
          "x-scope": "application.read",
          parameters: idParam,
          responses: ok("{ liveObjects, environments }"),
        },
      },
      "/api/environments/{id}/sync": {
        post: {
          summary: "Preview (dryRun) or start a sync; answers 202 with the sync run id",
          "x-scope": "environment.sync",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(syncBody) } } },
          responses: {
            "202": { description: "Sync started: { runId }" },
            ...ok("Dry-run preview"),
            "409": { description: "Another reconcile is running, or Git moved since the preview" },
          },
        },
      },
      "/api/environments/{id}/reconcile": {
        post: { summary: "Re-render and re-compare now", "x-scope": "environment.sync", parameters: idParam, responses: ok("The verdict") },
      },
      "/api/environments/{id}/syncs": { get: { summary: "Sync history", "x-scope": "application.read", parameters: idParam, responses: ok("Sync runs") } },
      "/api/environments/{id}/tree": {
        get: {
          summary:
            "Resource tree from the watch cache: applied objects and their children (ReplicaSets, Pods, Jobs, EndpointSlices) with sync status, health, reason and pod details; no Secret data",
          "x-scope": "application.read",
          parameters: idParam,
          responses: ok("Nodes (parentId links) and the kinds that could not be read"),
        },
      },
      "/api/environments/{id}/events": {
        get: {
          summary: "Kubernetes events of the environment's namespaces (core/v1 and events.k8s.io), newest first; uid or kind/name select one object's",
          "x-scope": "application.read",
          parameters: idParam,
          responses: ok("Events"),
        },
      },
      "/api/environments/{id}/stream": {
        get: {
          summary:
            "Server-sent events: snapshot, tree patches, Kubernetes events, environment detail and sync runs as they change; ids resume with Last-Event-ID (or ?lastEventId=)",
          "x-scope": "application.read",
          parameters: idParam,
          responses: { "200": { description: "text/event-stream" }, ...errors },
        },
      },
      "/api/live": {
        get: {
          summary:
            "Server-sent change hints for the signed-in user (ids only: environment, promotion, notification), filtered to readable applications and the user's own notifications; resumes with Last-Event-ID (or ?lastEventId=), else a resync event",
          "x-scope": "application.read",
          responses: { "200": { description: "text/event-stream" }, ...errors },
        },
      },
      "/api/sync-runs/{id}": {
        get: {
          summary: "One sync run with per-object outcomes (poll while status is running)",
          "x-scope": "application.read",
          parameters: idParam,
          responses: ok("The sync run"),
        },
      },
      "/api/repositories": { get: { summary: "Tracked repositories", "x-scope": "repository.read", responses: ok("Repositories") } },
      "/api/repositories/{id}/fetch": {
        post: {
          summary: "Fetch now (then reconcile environments on moved branches)",
          "x-scope": "repository.fetch",
          parameters: idParam,
          responses: ok("Fetch outcome"),
        },
      },
      "/api/repositories/{id}/commits": {
        get: {
          summary: "Commit history (cursor pagination)",
          "x-scope": "repository.read",
          parameters: [...idParam, ...queryParams(commitListQuery)],
          responses: ok("A page of commits"),
        },
      },
      "/api/changes": {
        get: {
          summary: "Change requests (status, repository, kind, author filters; paginated)",
          "x-scope": "change.read",
          parameters: queryParams(listChangesQuery),
          responses: ok("A page of change requests"),
        },
        post: {
          summary: "Propose file edits as a change request (commits on a new branch; 409 names conflicting files or an existing branch)",
          "x-scope": "change.propose",
          requestBody: { content: { "application/json": { schema: json(proposeChangeInput) } } },
          responses: { "201": { description: "The change request" }, ...errors, "409": { description: "Branch exists, or the edit conflicts with the base" } },
        },
      },
      "/api/changes/preview": {
        post: {
          summary: "Build the edit's commit without pushing and show its per-environment impact",
          "x-scope": "change.propose",
          requestBody: { content: { "application/json": { schema: json(previewEditInput) } } },
          responses: ok("Files and impact"),
        },
      },
      "/api/changes/{id}": {
        get: {
          summary: "One change request: commits, files, reviews, mergeability",
          "x-scope": "change.read",
          parameters: idParam,
          responses: ok("The change request"),
        },
      },
      "/api/changes/{id}/reviews": {
        post: {
          summary: "Approve, request changes or comment",
          "x-scope": "change.review",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(reviewInput) } } },
          responses: { "201": { description: "The review" }, ...errors },
        },
      },
      "/api/changes/{id}/merge": {
        post: {
          summary: "Merge (merge commit or fast-forward) once the required reviews are in",
          "x-scope": "change.merge",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(mergeInput) } } },
          responses: { ...ok("The merged change request"), "409": { description: "Not mergeable yet, or the base moved in a way that conflicts" } },
        },
      },
      "/api/applications/{id}/pipeline": {
        get: {
          summary: "The application's stages (images, chart, revision, health, holds) and what each arrow would promote",
          "x-scope": "promotion.read",
          parameters: idParam,
          responses: ok("Stages and arrows"),
        },
      },
      "/api/promotions/preview": {
        post: {
          summary: "Preview a promotion: file changes, images, object diff, warnings, blockers and the previewHash to confirm",
          "x-scope": "promotion.create",
          requestBody: { content: { "application/json": { schema: json(previewPromotionInput) } } },
          responses: ok("The preview"),
        },
      },
      "/api/promotions": {
        get: {
          summary: "Promotions and rollbacks (filters; inbox=1: waiting for my approval)",
          "x-scope": "promotion.read",
          parameters: queryParams(listPromotionsQuery),
          responses: ok("Promotions"),
        },
        post: {
          summary: "Start a promotion from a confirmed preview (commit, or a change request awaiting approval)",
          "x-scope": "promotion.create",
          requestBody: { content: { "application/json": { schema: json(createPromotionInput) } } },
          responses: {
            "201": { description: "The promotion" },
            ...errors,
            "409": { description: "stale (preview again), blockers, warnings (acknowledgeWarnings), or another promotion under way (promotionId)" },
          },
        },
      },
      "/api/promotions/{id}": {
        get: {
          summary:
            "One promotion with approvals, change request, timeline and verification (the target's verification after the promotion's sync, with its verdict and any automatic rollback)",
          "x-scope": "promotion.read",
          parameters: idParam,
          responses: ok("The promotion"),
        },
      },
      "/api/promotions/{id}/decision": {
        post: {
          summary: "Approve or reject (not the author; once each); the last approval merges and syncs",
          "x-scope": "promotion.approve",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(decisionInput) } } },
          responses: { ...ok("The promotion"), "409": { description: "Already decided, rejected, or not waiting for approval" } },
        },
      },
      "/api/promotions/{id}/override": {
        post: {
          summary: "Emergency override: land without the approvals (audited)",
          "x-scope": "promotion.override",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(overrideInput) } } },
          responses: ok("The promotion"),
        },
      },
      "/api/promotions/{id}/retry": {
        post: { summary: "Merge an approved promotion again", "x-scope": "promotion.approve", parameters: idParam, responses: ok("The promotion") },
      },
      "/api/promotions/{id}/cancel": {
        post: {
          summary: "Cancel a promotion still waiting (its author, an approver of the application or an admin); closes its change request (audited)",
          "x-scope": "promotion.create",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: { type: "object", properties: { reason: { type: "string", maxLength: 2000 } } } } } },
          responses: ok("The cancelled promotion"),
        },
      },
      "/api/environments/{id}/rollback-targets": {
        get: {
          summary: "Earlier successful syncs to roll back to (unavailable ones with the reason)",
          "x-scope": "promotion.read",
          parameters: idParam,
          responses: ok("Rollback targets"),
        },
      },
      "/api/environments/{id}/rollback": {
        post: {
          summary: "Roll back to an earlier sync (auto-sync held, revert change request opened); emergency: admins skip approvals",
          "x-scope": "environment.rollback",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(rollbackInput) } } },
          responses: {
            "201": { description: "The rollback (syncing, or awaiting approval)" },
            ...errors,
            "409": { description: "The target is gone from the branch history, or another promotion is under way" },
          },
        },
      },
      "/api/environments/{id}/hold": {
        post: {
          summary: "Hold auto-sync at the revision that runs now, with a reason (409 when already held or never synced)",
          "x-scope": "environment.rollback",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(holdInput) } } },
          responses: { "201": { description: "Held: { revision, reason }" }, ...errors, "409": { description: "Already held, or never synced" } },
        },
        delete: {
          summary: "Release a sync hold (a rollback's or a manual one)",
          "x-scope": "environment.rollback",
          parameters: idParam,
          responses: ok("Released"),
        },
      },
      "/api/projects": {
        get: { summary: "Projects with their rules, applications and member count", "x-scope": "project.read", responses: ok("Projects") },
        post: {
          summary:
            "Create a project: allowed sources (repository, path), destinations (cluster, namespace), cluster-scoped kinds allowed, namespaced kinds denied (globs; 422 names the field)",
          "x-scope": "project.manage",
          requestBody: { content: { "application/json": { schema: json(createProjectInput) } } },
          responses: { "201": { description: "The project" }, ...errors },
        },
      },
      "/api/projects/{id}": {
        get: { summary: "One project", "x-scope": "project.read", parameters: idParam, responses: ok("The project") },
        patch: {
          summary: "Change a project's description or rules (applied at every environment's next compare; audited)",
          "x-scope": "project.manage",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(updateProjectInput) } } },
          responses: ok("The project"),
        },
        delete: {
          summary: 'Delete a project without applications (409 names them; "default" cannot be deleted)',
          "x-scope": "project.manage",
          parameters: idParam,
          responses: ok("Deleted"),
        },
      },
      "/api/projects/{id}/members": {
        get: {
          summary: "Roles granted on the project (they apply to each of its applications)",
          "x-scope": "project.read",
          parameters: idParam,
          responses: ok("Members"),
        },
        post: {
          summary: "Grant a user a role on the project (the project's admins or a global admin)",
          "x-scope": "project.manage",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(projectMemberInput) } } },
          responses: { "201": { description: "The member" }, ...errors },
        },
      },
      "/api/projects/{id}/members/{userId}": {
        delete: {
          summary: "Remove a user's role on the project",
          "x-scope": "project.manage",
          parameters: [...idParam, { name: "userId", in: "path", required: true, schema: { type: "string" } }],
          responses: ok("Removed"),
        },
      },
      "/api/applications/{id}": {
        patch: {
          summary: "Change an application's description or move it to another project (global admins)",
          "x-scope": "application.manage",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(updateApplicationInput) } } },
          responses: ok("The application"),
        },
        delete: {
          summary:
            "Delete the application and its environments (global admins): prune=false keeps their live objects, prune=true deletes their labelled objects (jobs; 202) (audited)",
          "x-scope": "application.manage",
          parameters: [...idParam, deletePruneParam],
          responses: { ...ok("Deleted (objects kept)"), "202": { description: "Pruning; the application goes with its last environment" } },
        },
      },
      "/api/clusters": { get: { summary: "Registered clusters and their connection state", "x-scope": "cluster.read", responses: ok("Clusters") } },
      "/api/images/policies": {
        get: { summary: "Image policies with their latest tag, last check and error", "x-scope": "image.read", responses: ok("Image policies") },
        post: {
          summary: "Watch an image repository and write its newest allowed tag into environments",
          "x-scope": "image.manage",
          requestBody: { content: { "application/json": { schema: json(createPolicyInput) } } },
          responses: ok("The policy"),
        },
      },
      "/api/images/policies/{id}": {
        get: { summary: "One image policy", "x-scope": "image.read", parameters: idParam, responses: ok("The policy") },
        patch: {
          summary: "Change an image policy",
          "x-scope": "image.manage",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(updatePolicyInput) } } },
          responses: ok("The policy"),
        },
      },
      "/api/images/policies/{id}/check": {
        post: {
          summary: "Check the registry now and write an update if there is one",
          "x-scope": "image.manage",
          parameters: idParam,
          responses: ok("What was written per environment"),
        },
      },
      "/api/images/updates": {
        get: { summary: "The loop per update: image pushed -> commit or change request -> synced", "x-scope": "image.read", responses: ok("Image updates") },
      },
      "/api/health": {
        get: {
          summary:
            "Probe (no session): 200 when this process can serve, 503 naming what failed. ?live=1 only that it answers; the default checks Postgres; ?ready=1 also the job engine",
          security: [],
          parameters: [
            { name: "live", in: "query", required: false, schema: { type: "string", enum: ["1", "true"] } },
            { name: "ready", in: "query", required: false, schema: { type: "string", enum: ["1", "true"] } },
          ],
          responses: {
            "200": { description: "{ status: ok, role, database, jobs }", content: { "application/json": { schema: { type: "object" } } } },
            "503": {
              description: "{ status: unavailable, database, jobs } naming the failed check",
              content: { "application/json": { schema: { type: "object" } } },
            },
          },
        },
      },
      "/api/metrics": {
        get: {
          summary: "Prometheus text format (also at /metrics): Bearer TIDELINE_METRICS_TOKEN, or an admin's session",
          security: [{ bearer: [] }, { session: [] }],
          responses: {
            "200": { description: "Prometheus exposition format", content: { "text/plain": { schema: { type: "string" } } } },
            "401": errors["401"],
            "403": errors["403"],
          },
        },
      },
      "/api/jobs": {
        get: {
          summary: "Background jobs newest first, by state and queue, with payload (secrets masked) and the error of failed ones (cursor pages)",
          "x-scope": "jobs.read",
          parameters: queryParams(listJobsQuery),
          responses: ok("{ items, nextCursor }"),
        },
      },
      "/api/jobs/stats": {
        get: {
          summary: "Per queue: queued, deferred, running, failed in 24 h, oldest waiting job's age in seconds",
          "x-scope": "jobs.read",
          responses: ok("{ queues }"),
        },
      },
      "/api/jobs/{id}/retry": {
        post: {
          summary: "Run a failed job again (audited)",
          "x-scope": "jobs.manage",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(jobActionInput) } } },
          responses: { ...ok("Queued for retry"), "409": { description: "The job is not failed, or another job for its key is already waiting" } },
        },
      },
      "/api/jobs/{id}/cancel": {
        post: {
          summary: "Cancel a queued or running job (audited)",
          "x-scope": "jobs.manage",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(jobActionInput) } } },
          responses: { ...ok("Cancelled"), "409": { description: "The job has already finished" } },
        },
      },
      "/api/notifications": {
        get: {
          summary: "My in-app notifications, newest first, with the unread count",
          "x-scope": "notification.read",
          parameters: queryParams(inboxQuery),
          responses: ok("{ unread, notifications }"),
        },
      },
      "/api/notifications/read": {
        post: {
          summary: "Mark some (ids) or all of my notifications read",
          "x-scope": "notification.read",
          requestBody: { content: { "application/json": { schema: json(markReadInput) } } },
          responses: ok("{ marked, unread }"),
        },
      },
      "/api/notifications/channels": {
        get: { summary: "Notification channels (Slack, signed webhook, e-mail); URLs masked", "x-scope": "notification.manage", responses: ok("{ channels }") },
        post: {
          summary: "Add a channel; its URL must be on TIDELINE_OUTBOUND_HOSTS (422 names the field); URL and secret are stored encrypted",
          "x-scope": "notification.manage",
          requestBody: { content: { "application/json": { schema: json(createChannelInput) } } },
          responses: { "201": { description: "The channel" }, ...errors },
        },
      },
      "/api/notifications/channels/{id}": {
        patch: {
          summary: "Change a channel",
          "x-scope": "notification.manage",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(updateChannelInput) } } },
          responses: ok("The channel"),
        },
        delete: { summary: "Delete a channel and its subscriptions", "x-scope": "notification.manage", parameters: idParam, responses: ok("Deleted") },
      },
      "/api/notifications/subscriptions": {
        get: { summary: "Channel subscriptions and my in-app subscriptions", "x-scope": "notification.read", responses: ok("{ subscriptions }") },
        post: {
          summary: "Subscribe a channel (admins) or my in-app list (no channelId) to events of a project, application or environment",
          "x-scope": "notification.read",
          requestBody: { content: { "application/json": { schema: json(createSubscriptionInput) } } },
          responses: { "201": { description: "The subscription" }, ...errors },
        },
      },
      "/api/notifications/subscriptions/{id}": {
        delete: { summary: "Remove my subscription (admins: any)", "x-scope": "notification.read", parameters: idParam, responses: ok("Removed") },
      },
      "/api/notifications/deliveries": {
        get: {
          summary: "Deliveries (event x channel): status, attempts, last error with credentials masked",
          "x-scope": "notification.manage",
          parameters: queryParams(deliveriesQuery),
          responses: ok("{ deliveries }"),
        },
      },
      "/api/freeze-windows": {
        get: {
          summary: "Freeze windows (filter by environmentId or projectId), with whether each is open and until when",
          "x-scope": "application.read",
          parameters: queryParams(listFreezeWindowsQuery),
          responses: ok("{ windows }"),
        },
        post: {
          summary: "Add a freeze window: recurring (cron, durationMinutes, timeZone) or one-off (startsAt, endsAt); mode deny or allow",
          "x-scope": "freeze.manage",
          requestBody: { content: { "application/json": { schema: json(createFreezeWindowInput) } } },
          responses: { "201": { description: "The window" }, ...errors },
        },
      },
      "/api/freeze-windows/{id}": {
        patch: {
          summary: "Change a freeze window",
          "x-scope": "freeze.manage",
          parameters: idParam,
          requestBody: { content: { "application/json": { schema: json(updateFreezeWindowInput) } } },
          responses: ok("The window"),
        },
        delete: { summary: "Delete a freeze window", "x-scope": "freeze.manage", parameters: idParam, responses: ok("Deleted") },
      },
      "/api/environments/{id}/freeze": {
        get: {
          summary: "Whether the environment is frozen now, per action (sync, promotion, image-update), and until when",
          "x-scope": "application.read",
          parameters: idParam,
          responses: ok("The freeze state"),
        },
      },
      "/api/webhooks/images": {
        post: {
          summary:
            "CI or registry: an image was pushed (simple JSON or a registry notification envelope); authenticate with an API token (image.manage) or X-Tideline-Signature/X-Tideline-Timestamp HMAC",
          "x-scope": "image.manage",
          requestBody: {
            content: {
              "application/json": {
                schema: { type: "object", properties: { image: { type: "string" }, tag: { type: "string" }, digest: { type: "string" } }, required: ["image"] },
              },
            },
          },
          responses: { "202": { description: "What was written per environment" }, ...errors },
        },
      },
    },
  };
}
