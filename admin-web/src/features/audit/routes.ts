import type { FeatureModule } from "../types";

export default {
  routes: [
    {
      path: "settings/audit-log",
      name: "audit-log",
      component: () => import("./pages/AuditLogPage.vue"),
      meta: { title: "audit.title", minRole: "admin", section: "settings" },
    },
  ],
  nav: [{ section: "settings", label: "nav.auditLog", route: "audit-log", minRole: "admin" }],
} satisfies FeatureModule;
