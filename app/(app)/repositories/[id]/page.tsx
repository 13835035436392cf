import { RepositoryView } from "@/components/repositories/repository-view";
import { WebhookPanel } from "@/components/repositories/webhook-panel";
import { ChangeProviderPanel } from "@/components/repositories/change-provider-panel";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";

export default async function RepositoryPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  return (
    <RepositoryView
      id={id}
      canFetch={can(user.role, "repository.fetch")}
      webhookPanel={<WebhookPanel id={id} canManage={can(user.role, "webhook.manage")} canReadDeliveries={can(user.role, "webhook.read")} />}
      canEdit={can(user.role, "change.propose")}
      providerPanel={can(user.role, "repository.create") ? <ChangeProviderPanel id={id} /> : null}
    />
  );
}
