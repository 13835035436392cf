// Shared shapes of image automation: its dependencies, what one check reports per policy and
// per environment, and the sign-in identity automation commits are authored with.
import type { Signature } from "../git/write-commit";
import type { WriteDeps } from "../repositories/write-branch";

export interface AutomationDeps extends WriteDeps {
  /** Registry HTTP (tests count or fake requests through it). */
  fetchImpl?: typeof fetch;
}

export type CheckTrigger = "poll" | "webhook" | "manual";

export interface CheckOptions {
  trigger: CheckTrigger;
  /** What a webhook said was pushed; its digest saves a manifest request when it is the tag chosen. */
  pushed?: { tag?: string; digest?: string };
  /** The nextCheckAt this check was due at (the poller moves it forward while it holds the policy). */
  scheduledAt?: Date;
}

export type EnvironmentStatus =
  | "committed" // written to the environment's branch
  | "change_request" // proposed on a branch of its own
  | "already_proposed" // a change request for this very update exists
  | "up_to_date" // the sources already name this tag
  | "skipped" // refused (a downgrade)
  | "in_progress" // another check is writing this update right now
  | "not_referenced" // the image is nowhere in the environment's sources
  | "failed";

export interface EnvironmentOutcome {
  environmentId: string;
  environment: string;
  application: string;
  status: EnvironmentStatus;
  from?: string | null;
  to?: string;
  updateId?: string;
  commitSha?: string;
  changeRequestId?: string;
  changeRequestNumber?: number;
  reason?: string;
}

export interface CheckOutcome {
  policyId: string;
  policy: string;
  image: string;
  trigger: CheckTrigger;
  ok: boolean;
  error?: { code: string; message: string };
  latestTag: string | null;
  digest: string | null;
  requests: number;
  tagsListed: number;
  tagsSkipped: number;
  skippedSample: Array<{ tag: string; reason: string }>;
  pushed?: { tag?: string; digest?: string; selected: boolean; reason?: string };
  environments: EnvironmentOutcome[];
  nextCheckAt: string;
  durationMs: number;
}

export const AUTOMATION_AUTHOR: Signature = { name: "Tideline Image Automation", email: "image-automation@tideline.local" };
