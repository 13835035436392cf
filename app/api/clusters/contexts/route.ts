import { apiRoute } from "@/lib/api/handler";
import { listContexts } from "@/lib/kube/kubeconfig";
import { contextsInput } from "@/lib/clusters/schemas";

/** Lists a pasted kubeconfig's contexts so the user can pick one; nothing is stored. */
export const POST = apiRoute({ action: "cluster.manage", body: contextsInput }, async ({ body }) => ({ items: listContexts(body.kubeconfig) }));
