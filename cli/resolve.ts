// Names to ids through the list endpoints: an application by id or name, an environment by id,
// "app/env", or a name that only one application uses; repositories and clusters by id or name.
import type { Api } from "./client";
import { usageError } from "./errors";

export interface AppSummary {
  id: string;
  name: string;
  description: string | null;
  environments: Array<{ id: string; name: string; syncStatus: string; health: string }>;
}
export interface EnvRef {
  id: string;
  name: string;
  application: { id: string; name: string };
}

export const listApplications = async (api: Api) => (await api.get<{ items: AppSummary[] }>("/api/applications")).items;

export async function resolveApplication(api: Api, ref: string): Promise<AppSummary> {
  const apps = await listApplications(api);
  const app = apps.find((a) => a.id === ref) ?? apps.find((a) => a.name === ref);
  if (!app) throw usageError(`No application "${ref}"`, [`known: ${apps.map((a) => a.name).join(", ") || "(none)"}`]);
  return app;
}

export async function resolveEnvironment(api: Api, ref: string): Promise<EnvRef> {
  const apps = await listApplications(api);
  const all = apps.flatMap((a) => a.environments.map((e) => ({ id: e.id, name: e.name, application: { id: a.id, name: a.name } })));
  const byId = all.find((e) => e.id === ref);
  if (byId) return byId;
  const slash = ref.indexOf("/");
  if (slash > 0) {
    const [appName, envName] = [ref.slice(0, slash), ref.slice(slash + 1)];
    const found = all.find((e) => (e.application.name === appName || e.application.id === appName) && e.name === envName);
    if (!found) throw usageError(`No environment "${envName}" in application "${appName}"`, [`known: ${all.map(label).join(", ") || "(none)"}`]);
    return found;
  }
  const named = all.filter((e) => e.name === ref);
  if (named.length === 1) return named[0]!;
  if (named.length > 1)
    throw usageError(`"${ref}" names an environment in ${named.length} applications; say which as APP/ENV`, [`one of: ${named.map(label).join(", ")}`]);
  throw usageError(`No environment "${ref}" (use an id or APP/ENV)`, [`known: ${all.map(label).join(", ") || "(none)"}`]);
}

export const label = (e: EnvRef) => `${e.application.name}/${e.name}`;

export async function resolveByName<T extends { id: string; name: string }>(api: Api, path: string, what: string, ref: string): Promise<T> {
  const { items } = await api.get<{ items: T[] }>(path);
  const found = items.find((i) => i.id === ref) ?? items.find((i) => i.name === ref);
  if (!found) throw usageError(`No ${what} "${ref}"`, [`known: ${items.map((i) => i.name).join(", ") || "(none)"}`]);
  return found;
}
