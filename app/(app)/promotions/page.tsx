import { PromotionsInbox } from "@/components/promotions/inbox";
import { requireUser } from "@/lib/auth/current-user";

export default async function PromotionsPage() {
  await requireUser();
  return <PromotionsInbox />;
}
