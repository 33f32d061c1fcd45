import type { FeatureModule } from "../types";

export default {
  routes: [
    {
      path: "tariffs",
      name: "tariffs",
      component: () => import("./pages/TariffsPage.vue"),
      meta: { title: "tariffs.title", minRole: "admin", section: "catalog" },
    },
  ],
  nav: [{ section: "catalog", label: "nav.tariffs", route: "tariffs", minRole: "admin" }],
} satisfies FeatureModule;
