import { describe, expect, it, vi } from "vitest";
import type { Tariff } from "@/api/types";
import { calls, json, mockApi } from "@/test/fetch-mock";
import { mountApp, settle } from "@/test/app";

const MONTH: Tariff = {
  id: "9f0c7c1e-52a8-4a57-8a5c-1f1c2f0c7c1e",
  name: "1 месяц",
  description: null,
  duration_days: 30,
  price: "49.00",
  currency: "RUB",
  stars_price: null,
  traffic_limit_gb: null,
  device_limit: 3,
  location_id: null,
  is_active: true,
  is_promo: false,
  sort_order: 0,
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
};

async function fill(name: string, value: string | boolean) {
  const input = document.querySelector<HTMLInputElement>(`[role="dialog"] [name="${name}"]`);
  if (!input) throw new Error(`no field ${name}`);
  if (typeof value === "boolean") {
    input.checked = value;
    input.dispatchEvent(new Event("change"));
  } else {
    input.value = value;
    input.dispatchEvent(new Event("input"));
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
}

function errors(): string[] {
  return [...document.querySelectorAll('[role="dialog"] [data-testid="field-error"]')].map((e) => e.textContent?.trim() ?? "");
}

async function openEdit() {
  mockApi("GET", "/api/v1/admin/tariffs", { items: [MONTH], total: 1, page: 1, size: 20, pages: 1 });
  mockApi("GET", "/api/v1/admin/locations", { items: [], total: 0, page: 1, size: 200, pages: 0 });
  const app = await mountApp("/tariffs");
  expect(app.wrapper.get('[data-testid="table-row"]').text()).toMatch(/49,00\s₽/);
  await app.wrapper.get('button[aria-label="Изменить «1 месяц»"]').trigger("click");
  await settle();
  return app;
}

describe("tariff form", () => {
  it("refuses a price with fractions of a kopeck next to the field", async () => {
    await openEdit();
    await fill("price", "49.999");
    document.querySelector('[role="dialog"] form')?.dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(errors()).toEqual(["Сумма в рублях, до копеек: 49 или 49.90"]));
    expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(0);
  });

  it("saves 'forever' as a null duration and a typed price as a decimal string", async () => {
    const { wrapper } = await openEdit();
    mockApi("PATCH", `/api/v1/admin/tariffs/${MONTH.id}`, (_r: Request, body: unknown) => json(200, { ...MONTH, ...(body as object) }));
    await fill("forever", true);
    await fill("price", "59,5");
    await fill("device_limit", "");
    document.querySelector('[role="dialog"] form')?.dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(document.querySelector('[role="dialog"]')).toBeNull());
    expect(calls.find((c) => c.method === "PATCH")?.body).toMatchObject({ duration_days: null, price: "59.50", device_limit: null, currency: "RUB" });
    expect(wrapper.text()).toContain("Тариф «1 месяц» сохранён");
  });
});
