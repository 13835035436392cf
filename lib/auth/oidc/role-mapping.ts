// Maps an OpenID provider's group claim to a Tideline role: the highest role any group
// grants wins; with no matching group the default role applies ("none" refuses sign-in).
import { invalid } from "../../errors";
import { ROLES, type RoleName } from "../roles";

export function parseRoleMap(spec: string): Map<string, RoleName> {
  const map = new Map<string, RoleName>();
  for (const pair of spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [group, role] = pair.split("=").map((x) => x.trim());
    if (!group || !role || !(ROLES as readonly string[]).includes(role)) {
      throw invalid(`TIDELINE_OIDC_ROLE_MAP entry "${pair}" must look like group=role with role one of ${ROLES.join(", ")}`);
    }
    map.set(group, role as RoleName);
  }
  return map;
}

export function roleForGroups(groups: unknown, map: Map<string, RoleName>, fallback: RoleName | "none"): RoleName | null {
  const list = Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : typeof groups === "string" ? [groups] : [];
  const granted = list.map((g) => map.get(g)).filter((r): r is RoleName => Boolean(r));
  if (granted.length === 0) return fallback === "none" ? null : fallback;
  return granted.sort((a, b) => ROLES.indexOf(b) - ROLES.indexOf(a))[0]!;
}
