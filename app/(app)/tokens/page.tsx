import { ApiTokens } from "@/components/tokens/api-tokens";
import { requireUser } from "@/lib/auth/current-user";
import { can, PERMISSIONS, type Action } from "@/lib/auth/roles";

export default async function TokensPage() {
  const user = await requireUser();
  const scopes = (Object.keys(PERMISSIONS) as Action[]).filter((a) => can(user.role, a));
  return <ApiTokens scopes={scopes} />;
}
