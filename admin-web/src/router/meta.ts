import type { AdminRole } from "@/api/types";
import type { SectionKey } from "@/navigation";

declare module "vue-router" {
  interface RouteMeta {
    /** i18n key of the page title (document title). */
    title?: string;
    /** The least role that may open the page; lower roles see "forbidden" at the same URL. */
    minRole?: AdminRole;
    /** Sidebar section the page belongs to (highlighted while it is open). */
    section?: SectionKey;
    /** The sidebar item to highlight when the page itself has none (a form under its list). */
    navRoute?: string;
    /** Reachable without signing in. */
    public?: boolean;
  }
}

export {};
