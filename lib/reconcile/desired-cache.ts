// Renders are the expensive part of a quiet reconcile: the same environment settings at the same
// revision always render the same objects, so this process keeps the last render of each environment.
import type { Environment } from "../generated/prisma/client";
import type { Discovery } from "../kube/discovery";
import type { DesiredState } from "./desired";
import { stableHash } from "../drift/normalize";

export class DesiredStateCache {
  private entries = new Map<string, { key: string; discovery: Discovery; state: DesiredState }>();

  constructor(private readonly max = 5000) {}

  async get(env: Environment, revision: string, discovery: Discovery, render: () => Promise<DesiredState>): Promise<DesiredState> {
    // Every field that changes what renders, and the cluster's discovery (a new CRD changes types).
    const key = stableHash({
      revision,
      path: env.path,
      renderer: env.renderer,
      namespace: env.namespace,
      values: env.helmValuesFiles,
      release: env.helmReleaseName,
      cluster: env.clusterId,
      project: (env as { projectId?: string }).projectId ?? null,
    });
    const hit = this.entries.get(env.id);
    // A render with kinds the cluster did not serve is not reused: their CRD may be installed since.
    const unresolved = (st: DesiredState) => st.objects.some((o) => !o.type) || st.hooks.some((o) => !o.type);
    if (hit && hit.key === key && hit.discovery === discovery && !unresolved(hit.state)) {
      // Most recently used last, so the oldest is dropped first.
      this.entries.delete(env.id);
      this.entries.set(env.id, hit);
      return hit.state;
    }
    const state = await render();
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(env.id, { key, discovery, state });
    return state;
  }
}
