// Access to the one test-bed Kubernetes API server of this test run (started by
// tests/global-setup.ts): kubeconfigs, and a client for arranging cluster state.
import { readFileSync } from "node:fs";
import { clientFromKubeconfig, kubeRequest, type KubeClient } from "../../lib/kube/transport";

export function testbedKubeconfig(which: "admin" | "viewer" = "admin"): string {
  const file = which === "admin" ? process.env.TIDELINE_TEST_KUBECONFIG : process.env.TIDELINE_TEST_VIEWER_KUBECONFIG;
  if (!file) throw new Error("The test bed is not running (TIDELINE_TEST_KUBECONFIG unset); see tests/global-setup.ts");
  return readFileSync(file, "utf8");
}

export const adminClient = (): KubeClient => clientFromKubeconfig("testbed", testbedKubeconfig("admin"));

export async function createNamespace(client: KubeClient, name: string) {
  await kubeRequest(client, "POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name } } });
}

export async function createConfigMap(
  client: KubeClient,
  namespace: string,
  name: string,
  labels: Record<string, string> = {},
  data: Record<string, string> = {},
) {
  return kubeRequest<{ metadata: { resourceVersion: string } }>(client, "POST", `/api/v1/namespaces/${namespace}/configmaps`, {
    body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data },
  });
}

export async function eventually<T>(fn: () => Promise<T> | T, check: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await fn();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() < deadline);
  return last;
}
