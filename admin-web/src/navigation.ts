// The sidebar: fixed sections in a fixed order; features add items to them (features/index.ts).
// A section shows only when the role may open at least one of its items.
import {
  Landmark,
  LayoutDashboard,
  LifeBuoy,
  Megaphone,
  Server,
  Settings,
  Tags,
  Users,
  type LucideIcon,
} from "lucide-vue-next";
import type { AdminRole } from "@/api/types";
import { hasRole } from "@/roles";

export type SectionKey = "dashboard" | "users" | "servers" | "catalog" | "finance" | "support" | "broadcasts" | "settings";

export interface Section {
  key: SectionKey;
  /** i18n key */
  label: string;
  icon: LucideIcon;
}

export const SECTIONS: Section[] = [
  { key: "dashboard", label: "nav.sections.dashboard", icon: LayoutDashboard },
  { key: "users", label: "nav.sections.users", icon: Users },
  { key: "servers", label: "nav.sections.servers", icon: Server },
  { key: "catalog", label: "nav.sections.catalog", icon: Tags },
  { key: "finance", label: "nav.sections.finance", icon: Landmark },
  { key: "support", label: "nav.sections.support", icon: LifeBuoy },
  { key: "broadcasts", label: "nav.sections.broadcasts", icon: Megaphone },
  { key: "settings", label: "nav.sections.settings", icon: Settings },
];

export interface NavItem {
  section: SectionKey;
  /** i18n key */
  label: string;
  /** Name of the route the item opens. */
  route: string;
  minRole: AdminRole;
}

export interface NavSection extends Section {
  items: NavItem[];
}

/** The sections and items `role` may see, in sidebar order. */
export function visibleNav(items: NavItem[], role: AdminRole | null): NavSection[] {
  return SECTIONS.map((section) => ({
    ...section,
    items: items.filter((item) => item.section === section.key && hasRole(role, item.minRole)),
  })).filter((section) => section.items.length > 0);
}

/** Where a freshly signed-in account lands: its first sidebar item, else its own preferences page. */
export function homeRouteName(items: NavItem[], role: AdminRole | null): string {
  return visibleNav(items, role)[0]?.items[0]?.route ?? "profile";
}
