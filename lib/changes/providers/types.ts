// The provider side of change requests: one interface that GitHub pull requests and
// GitLab merge requests both implement, so callers never branch on the host.
export interface ProviderChangeRequest {
  number: number;
  url: string;
  state: "open" | "merged" | "closed";
  title: string;
  body: string;
  headBranch: string;
  baseBranch: string;
  headSha: string;
  mergedSha?: string | null;
  author: string;
  updatedAt: string;
}

export interface ProviderReview {
  id: string;
  author: string;
  state: "approved" | "changes_requested" | "commented";
  body: string;
  submittedAt: string;
  /** The head commit the review was given on (GitHub's commit_id; GitLab: the diff version at approval time). */
  commitSha: string | null;
  /** Dismissed on the provider: it no longer approves or blocks. */
  dismissed: boolean;
}

export interface ChangeRequestProvider {
  kind: "github" | "gitlab";
  open(input: { title: string; body: string; headBranch: string; baseBranch: string }): Promise<ProviderChangeRequest>;
  get(number: number): Promise<ProviderChangeRequest>;
  /** Every review still on record; an approval no longer listed (GitLab unapproval) was withdrawn. */
  listReviews(number: number): Promise<ProviderReview[]>;
  review(number: number, input: { state: "approved" | "changes_requested" | "commented"; body: string }): Promise<void>;
  merge(number: number, input: { method: "merge" | "fast-forward"; expectedHeadSha?: string; commitTitle?: string }): Promise<{ mergedSha: string }>;
  close(number: number): Promise<void>;
}
