import type { AdminRole } from "@/api/types";

const RANK: Record<AdminRole, number> = { support: 1, admin: 2, owner: 3 };

/** True when `role` may do what `required` may (owner > admin > support), as the API decides. */
export function hasRole(role: AdminRole | null | undefined, required: AdminRole | undefined): boolean {
  if (!required) return true;
  if (!role) return false;
  return RANK[role] >= RANK[required];
}

export const ROLES: AdminRole[] = ["owner", "admin", "support"];
