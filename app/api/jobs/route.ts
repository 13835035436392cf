import { apiRoute } from "@/lib/api/handler";
import { listJobs, listJobsQuery } from "@/lib/jobs/admin";
import { jobsAdminDeps } from "./deps";

/** Jobs newest first, by state (queued, running, failed, completed, cancelled) and queue; cursor pages. */
export const GET = apiRoute({ action: "jobs.read", query: listJobsQuery }, ({ query }) => listJobs(jobsAdminDeps(), query));
