import { apiRoute } from "@/lib/api/handler";

export const GET = apiRoute({ action: "authenticated" }, async ({ user }) => ({
  user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role },
}));
