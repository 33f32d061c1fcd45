import type { FeatureModule } from "../types";

export default {
  routes: [
    {
      path: "locations",
      name: "locations",
      component: () => import("./pages/LocationsPage.vue"),
      meta: { title: "locations.title", minRole: "admin", section: "servers" },
    },
  ],
  nav: [{ section: "servers", label: "nav.locations", route: "locations", minRole: "admin" }],
} satisfies FeatureModule;
