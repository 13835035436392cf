// Webhook deliveries (Git pushes, image notifications) with their outcome; developers and up.
import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { DeliveryList } from "@/components/webhooks/delivery-list";

export default async function WebhooksPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  if (!can(user.role, "webhook.read")) redirect("/");
  const sp = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";
  return <DeliveryList initial={{ source: first(sp.source), outcome: first(sp.outcome), repositoryId: first(sp.repositoryId) }} />;
}
