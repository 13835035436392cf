import { PromotionView } from "@/components/promotions/promotion-view";
import { requireUser } from "@/lib/auth/current-user";
import { applicationOf } from "@/lib/auth/application-roles";
import { allowedOnApplication } from "@/lib/auth/page-roles";
import { db } from "@/lib/db";

export default async function PromotionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const { id } = await params;
  const allowed = await allowedOnApplication(user, await applicationOf.promotion(db(), id), ["promotion.approve", "promotion.override"]);
  return (
    <PromotionView
      id={id}
      permissions={{ userId: user.id, username: user.username, canApprove: allowed["promotion.approve"]!, canOverride: allowed["promotion.override"]! }}
    />
  );
}
