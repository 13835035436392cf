import { describe, expect, it } from "vitest";
import { parseRoleMap, roleForGroups } from "../../lib/auth/oidc/role-mapping";

describe("OIDC group to role mapping", () => {
  const map = parseRoleMap("platform-admins=admin, approvers=approver,devs=developer");
  it("gives the highest role any group grants", () => {
    expect(roleForGroups(["devs", "approvers"], map, "viewer")).toBe("approver");
    expect(roleForGroups("platform-admins", map, "viewer")).toBe("admin");
  });
  it("falls back to the default role, or refuses with 'none'", () => {
    expect(roleForGroups(["marketing"], map, "viewer")).toBe("viewer");
    expect(roleForGroups(undefined, map, "none")).toBeNull();
  });
  it("rejects a malformed map with the entry and the valid roles", () => {
    expect(() => parseRoleMap("admins=superuser")).toThrow(/"admins=superuser".*viewer, developer, approver, admin/);
  });
});
