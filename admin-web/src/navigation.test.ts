import { describe, expect, it } from "vitest";
import { NAV_ITEMS } from "@/features";
import { homeRouteName, visibleNav } from "@/navigation";
import { mountApp } from "@/test/app";
import { mockApi } from "@/test/fetch-mock";

function routesFor(role: "owner" | "admin" | "support" | null) {
  return visibleNav(NAV_ITEMS, role).flatMap((section) => section.items.map((item) => `${section.key}/${item.route}`));
}

describe("role-based navigation", () => {
  it("gives the owner everything, including staff accounts", () => {
    expect(routesFor("owner")).toEqual([
      "servers/servers",
      "servers/locations",
      "catalog/tariffs",
      "settings/accounts",
      "settings/audit-log",
    ]);
    expect(homeRouteName(NAV_ITEMS, "owner")).toBe("servers");
  });

  it("gives an admin all but the owner-only parts", () => {
    expect(routesFor("admin")).toEqual(["servers/servers", "servers/locations", "catalog/tariffs", "settings/audit-log"]);
  });

  it("shows support none of the catalog or settings sections and lands it on its profile", () => {
    expect(routesFor("support")).toEqual([]);
    expect(homeRouteName(NAV_ITEMS, "support")).toBe("profile");
    expect(routesFor(null)).toEqual([]);
  });

  it("renders only the allowed sections in the sidebar", async () => {
    const empty = { items: [], total: 0, page: 1, size: 20, pages: 0 };
    mockApi("GET", "/api/v1/admin/servers", empty);
    mockApi("GET", "/api/v1/admin/locations", empty);
    const { wrapper, router } = await mountApp("/", "admin");
    expect(router.currentRoute.value.name).toBe("servers");
    const sections = wrapper.findAll("[data-section]").map((s) => s.attributes("data-section"));
    expect(sections).toEqual(["servers", "catalog", "settings"]);
    expect(wrapper.get('[data-testid="sidebar"]').text()).not.toContain("Сотрудники");
  });

  it("answers a direct URL above the role with 'forbidden' at the same address", async () => {
    const { wrapper, router } = await mountApp("/settings/accounts", "admin");
    expect(router.currentRoute.value.fullPath).toBe("/settings/accounts");
    expect(wrapper.find('[data-testid="forbidden"]').exists()).toBe(true);
    expect(wrapper.text()).toContain("Этот раздел недоступен для роли «Администратор»");
  });

  it("sends visitors without a session to the login page and back afterwards", async () => {
    const { router } = await mountApp("/tariffs?is_promo=true", null);
    expect(router.currentRoute.value.name).toBe("login");
    expect(router.currentRoute.value.query.redirect).toBe("/tariffs?is_promo=true");
  });

  it("shows the not-found page for unknown addresses", async () => {
    const { wrapper } = await mountApp("/nope/nothing", "owner");
    expect(wrapper.find('[data-testid="not-found"]').exists()).toBe(true);
  });
});
