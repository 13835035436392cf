import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { AuditLog } from "@/components/audit/audit-log";

export default async function AuditPage() {
  const user = await requireUser();
  if (!can(user.role, "audit.read")) redirect("/");
  return <AuditLog />;
}
