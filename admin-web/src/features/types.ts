import type { RouteRecordRaw } from "vue-router";
import type { NavItem } from "@/navigation";

/** What a feature folder contributes to the app: its pages (under the signed-in layout) and sidebar items. */
export interface FeatureModule {
  routes: RouteRecordRaw[];
  nav: NavItem[];
}
