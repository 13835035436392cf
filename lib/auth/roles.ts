// The four roles, ordered: each includes everything the ones below it may do.
export const ROLES = ["viewer", "developer", "approver", "admin"] as const;
export type RoleName = (typeof ROLES)[number];

export function hasRole(actual: RoleName, required: RoleName): boolean {
  return ROLES.indexOf(actual) >= ROLES.indexOf(required);
}

/** What each action needs; routes name the action, never a bare role. */
export const PERMISSIONS = {
  "repository.read": "viewer",
  "repository.fetch": "developer",
  "repository.create": "admin",
  "repository.delete": "admin",
  "application.read": "viewer",
  "application.manage": "admin",
  "application.members": "admin",
  "environment.sync": "developer",
  "environment.configure": "admin",
  "project.read": "viewer",
  "project.manage": "admin",
  "cluster.read": "viewer",
  "cluster.check": "developer",
  "cluster.manage": "admin",
  "user.read": "admin",
  "user.manage": "admin",
  "audit.read": "admin",
  "change.read": "viewer",
  "change.propose": "developer",
  "change.review": "developer",
  "change.merge": "developer",
  "promotion.read": "viewer",
  "promotion.create": "developer",
  "promotion.approve": "approver",
  "promotion.override": "admin",
  "environment.rollback": "developer",
  "image.read": "viewer",
  "image.manage": "admin",
  "webhook.read": "developer",
  "webhook.manage": "admin",
  "jobs.read": "admin",
  "jobs.manage": "admin",
  "notification.read": "viewer",
  "notification.manage": "admin",
  "freeze.manage": "admin",
} as const satisfies Record<string, RoleName>;
export type Action = keyof typeof PERMISSIONS;

export function can(role: RoleName, action: Action): boolean {
  return hasRole(role, PERMISSIONS[action]);
}
