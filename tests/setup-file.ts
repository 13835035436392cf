// Runs before each test file, in its own process: the file gets a job queue of its own (a pg-boss
// schema), so a worker one file starts never runs jobs another file queued, and each file's jobs
// are all its own to assert on.
import { randomBytes } from "node:crypto";

process.env.TIDELINE_JOB_SCHEMA ??= `jobs_${randomBytes(4).toString("hex")}`;
// Request and job lines stay out of the test output; tests that read the logs capture them (lib/log).
process.env.TIDELINE_LOG_LEVEL ??= "warn";
