import type { FeatureModule } from "../types";

export default {
  routes: [
    {
      path: "profile",
      name: "profile",
      component: () => import("./pages/ProfilePage.vue"),
      meta: { title: "profile.title", minRole: "support" },
    },
  ],
  nav: [],
} satisfies FeatureModule;
