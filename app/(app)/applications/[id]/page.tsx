import { ApplicationView } from "@/components/environments/application-view";
import { PipelineGraph } from "@/components/promotions/pipeline-graph";
import { requireUser } from "@/lib/auth/current-user";
import { allowedOnApplication } from "@/lib/auth/page-roles";

export default async function ApplicationPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const allowed = await allowedOnApplication(user, id, ["application.manage", "application.members", "promotion.create", "environment.rollback"]);
  return (
    <ApplicationView
      id={id}
      canManage={allowed["application.manage"]!}
      canManageMembers={allowed["application.members"]!}
      canDelete={user.role === "admin"}
      pipeline={<PipelineGraph applicationId={id} canPromote={allowed["promotion.create"]!} canRelease={allowed["environment.rollback"]!} />}
    />
  );
}
