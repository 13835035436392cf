import { ClusterList } from "@/components/clusters/cluster-list";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function ClustersPage() {
  const user = await requireUser();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Clusters</h1>
      <ClusterList canManage={can(user.role, "cluster.manage")} canCheck={can(user.role, "cluster.check")} />
    </div>
  );
}
