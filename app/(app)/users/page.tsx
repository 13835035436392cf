import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth/current-user";
import { can } from "@/lib/auth/roles";
import { UserAdmin } from "@/components/users/user-admin";

export default async function UsersPage() {
  const user = await requireUser();
  if (!can(user.role, "user.read")) redirect("/");
  return <UserAdmin currentUserId={user.id} />;
}
