import { apiRoute } from "@/lib/api/handler";
import { PERMISSIONS, can, type Action } from "@/lib/auth/roles";
import { tokenAllows } from "@/lib/auth/api-tokens";

/** Who is signed in, and the actions they may take (their role's, narrowed to an API token's scopes): the CLI asks for these when it mints its token. */
export const GET = apiRoute({ action: "authenticated" }, async ({ user }) => ({
  user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role },
  actions: (Object.keys(PERMISSIONS) as Action[]).filter((a) => can(user.role, a) && tokenAllows(user, a)),
}));
