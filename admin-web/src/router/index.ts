import { createRouter, createWebHistory, type RouterHistory } from "vue-router";
import AppLayout from "@/components/layout/AppLayout.vue";
import { FEATURES, NAV_ITEMS } from "@/features";
import { i18n } from "@/locales";
import { homeRouteName } from "@/navigation";
import { useAuthStore } from "@/stores/auth";
import { useUiStore } from "@/stores/ui";
import "./meta";

export function createAppRouter(history: RouterHistory = createWebHistory(import.meta.env.BASE_URL)) {
  const router = createRouter({
    history,
    routes: [
      {
        path: "/login",
        name: "login",
        component: () => import("@/features/auth/pages/LoginPage.vue"),
        meta: { public: true, title: "login.title" },
      },
      {
        path: "/",
        component: AppLayout,
        children: [
          { path: "", name: "home", component: { render: () => null } },
          ...FEATURES.flatMap((feature) => feature.routes),
          {
            path: ":pathMatch(.*)*",
            name: "not-found",
            component: () => import("@/features/shell/pages/NotFoundPage.vue"),
            meta: { title: "notFound.title" },
          },
        ],
      },
    ],
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  });

  router.beforeEach(async (to) => {
    const auth = useAuthStore();
    await auth.restore();
    if (to.meta.public) {
      return to.name === "login" && auth.status === "signed-in" ? { name: "home" } : true;
    }
    if (auth.status !== "signed-in") {
      return { name: "login", query: to.fullPath === "/" ? {} : { redirect: to.fullPath } };
    }
    if (to.name === "home") return { name: homeRouteName(NAV_ITEMS, auth.role), replace: true };
    return true;
  });

  router.afterEach((to) => {
    const shop = useUiStore().shopName || "VPN Shop";
    const title = to.meta.title ? i18n.global.t(to.meta.title) : "";
    document.title = title ? `${title} · ${shop}` : shop;
  });

  return router;
}
