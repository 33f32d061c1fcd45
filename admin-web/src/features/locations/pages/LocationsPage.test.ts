// The list page with DataTable: paging, sorting and filters live in the URL and drive the API query.
import { describe, expect, it } from "vitest";
import type { Location } from "@/api/types";
import { calls, json, mockApi } from "@/test/fetch-mock";
import { mountApp, settle } from "@/test/app";
import { viewport } from "@/test/setup";

function location(n: number, overrides: Partial<Location> = {}): Location {
  return {
    id: `00000000-0000-4000-8000-00000000000${n}`,
    name: `Location ${n}`,
    country_code: "NL",
    flag_emoji: "🇳🇱",
    is_active: true,
    sort_order: n,
    created_at: "2025-02-01T10:00:00Z",
    updated_at: "2025-02-01T10:00:00Z",
    ...overrides,
  };
}

function page(items: Location[], total = items.length, pageNo = 1, size = 20) {
  return { items, total, page: pageNo, size, pages: Math.ceil(total / size) };
}

function listCalls() {
  return calls.filter((c) => c.method === "GET" && c.path === "/api/v1/admin/locations").map((c) => Object.fromEntries(new URLSearchParams(c.search)));
}

describe("locations list", () => {
  it("reads page, sort and filters from the URL and sends them to the API", async () => {
    mockApi("GET", "/api/v1/admin/locations", (request: Request) => {
      const q = new URL(request.url).searchParams;
      return json(200, page([location(1)], 41, Number(q.get("page") ?? 1)));
    });
    const { wrapper } = await mountApp("/locations?page=2&sort=-name&q=ne&is_active=false");
    expect(listCalls()[0]).toEqual({ page: "2", size: "20", sort: "-name", q: "ne", is_active: "false" });
    expect(wrapper.get('[data-testid="table-range"]').text()).toBe("21–40 из 41");
    expect(wrapper.get('th[aria-sort="descending"]').text()).toContain("Название");
  });

  it("writes sorting, paging and filter changes back to the URL", async () => {
    mockApi("GET", "/api/v1/admin/locations", (request: Request) => {
      const q = new URL(request.url).searchParams;
      return json(200, page([location(1), location(2)], 45, Number(q.get("page") ?? 1)));
    });
    const { wrapper, router } = await mountApp("/locations?page=2");

    await wrapper.get('th[aria-sort] button').trigger("click");
    await settle();
    expect(router.currentRoute.value.query).toEqual({ sort: "name" });
    expect(listCalls().at(-1)).toEqual({ page: "1", size: "20", sort: "name" });

    await wrapper.get('th[aria-sort="ascending"] button').trigger("click");
    await settle();
    expect(router.currentRoute.value.query).toEqual({ sort: "-name" });

    await wrapper.get('button[aria-label="Следующая страница"]').trigger("click");
    await settle();
    expect(router.currentRoute.value.query).toEqual({ sort: "-name", page: "2" });

    await wrapper.get('select[aria-label="Статус"]').setValue("true");
    await settle();
    expect(router.currentRoute.value.query).toEqual({ sort: "-name", is_active: "true" });
    expect(listCalls().at(-1)).toEqual({ page: "1", size: "20", sort: "-name", is_active: "true" });

    await wrapper.get('footer select').setValue("50");
    await settle();
    expect(router.currentRoute.value.query).toEqual({ sort: "-name", is_active: "true", size: "50" });
  });

  it("shows an empty state that offers a reset when filters hide everything", async () => {
    mockApi("GET", "/api/v1/admin/locations", page([]));
    const { wrapper, router } = await mountApp("/locations?q=zzz");
    expect(wrapper.get('[data-testid="empty-state"]').text()).toContain("Ничего не найдено");
    await wrapper.get('[data-testid="empty-state"] button').trigger("click");
    await settle();
    expect(router.currentRoute.value.query).toEqual({});
    expect(wrapper.get('[data-testid="empty-state"]').text()).toContain("Локаций пока нет");
  });

  it("shows a load error in place and retries", async () => {
    mockApi("GET", "/api/v1/admin/locations", () => json(500, { error: "InternalError", detail: "Internal server error" }), 1);
    mockApi("GET", "/api/v1/admin/locations", page([location(1)]), 1);
    const { wrapper } = await mountApp("/locations");
    expect(wrapper.get('[data-testid="error-state"]').text()).toContain("Ошибка на сервере");
    await wrapper.get('[data-testid="error-state"] button').trigger("click");
    await settle();
    expect(wrapper.findAll('[data-testid="table-row"]')).toHaveLength(1);
  });

  it("turns rows into cards on a phone", async () => {
    viewport.wide = false;
    mockApi("GET", "/api/v1/admin/locations", page([location(1), location(2)]));
    const { wrapper } = await mountApp("/locations");
    expect(wrapper.find("table").exists()).toBe(false);
    expect(wrapper.findAll('[data-testid="table-card"]')).toHaveLength(2);
    expect(wrapper.get('[data-testid="table-card"]').text()).toContain("Код страны");
  });

  it("asks before deleting and names what is lost", async () => {
    mockApi("GET", "/api/v1/admin/locations", page([location(1)]));
    mockApi("DELETE", "/api/v1/admin/locations/00000000-0000-4000-8000-000000000001", () => json(409, { error: "LocationInUse", detail: "Location is used by 2 servers" }));
    const { wrapper } = await mountApp("/locations");
    await wrapper.get('button[aria-label="Удалить «Location 1»"]').trigger("click");
    await settle();
    const message = document.querySelector('[data-testid="confirm-message"]');
    expect(message?.textContent).toContain("Локация «Location 1» будет удалена безвозвратно");
    (document.querySelector('[data-testid="confirm-accept"]') as HTMLButtonElement).click();
    await settle();
    expect(calls.some((c) => c.method === "DELETE")).toBe(true);
    expect(document.querySelector('[data-testid="toast"]')?.textContent).toContain("Выключите её вместо удаления");
  });
});
