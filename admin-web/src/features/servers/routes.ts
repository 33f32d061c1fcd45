import type { FeatureModule } from "../types";

const meta = { minRole: "admin", section: "servers" } as const;

export default {
  routes: [
    { path: "servers", name: "servers", component: () => import("./pages/ServersPage.vue"), meta: { ...meta, title: "servers.title" } },
    { path: "servers/new", name: "server-new", component: () => import("./pages/ServerFormPage.vue"), meta: { ...meta, title: "servers.new", navRoute: "servers" } },
    {
      path: "servers/:id",
      name: "server-edit",
      component: () => import("./pages/ServerFormPage.vue"),
      props: true,
      meta: { ...meta, title: "servers.edit", navRoute: "servers" },
    },
  ],
  nav: [{ section: "servers", label: "nav.servers", route: "servers", minRole: "admin" }],
} satisfies FeatureModule;
