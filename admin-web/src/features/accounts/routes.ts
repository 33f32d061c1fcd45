import type { FeatureModule } from "../types";

export default {
  routes: [
    {
      path: "settings/accounts",
      name: "accounts",
      component: () => import("./pages/AccountsPage.vue"),
      meta: { title: "accounts.title", minRole: "owner", section: "settings" },
    },
  ],
  nav: [{ section: "settings", label: "nav.accounts", route: "accounts", minRole: "owner" }],
} satisfies FeatureModule;
