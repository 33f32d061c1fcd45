import { describe, expect, it } from "vitest";
import type { Tariff } from "@/api/types";
import { renumber } from "./composables/use-tariffs";
import { tariffFormSchema, toBody, toFormValues } from "./tariff-form";

const tariff: Tariff = {
  id: "t1",
  name: "Навсегда",
  description: null,
  duration_days: null,
  price: "599.00",
  currency: "RUB",
  stars_price: null,
  traffic_limit_gb: 100,
  device_limit: 3,
  location_id: null,
  is_active: true,
  is_promo: false,
  sort_order: 30,
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
};

function issues(values: ReturnType<typeof toFormValues>) {
  const result = tariffFormSchema.safeParse(values);
  return result.success ? {} : Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
}

describe("tariff form", () => {
  it("sends money as a decimal string to the kopeck and empty limits as unlimited", () => {
    const values = { ...toFormValues(null), name: "Неделя", duration_days: "7", price: "19,9", device_limit: "", stars_price: "75" };
    expect(issues(values)).toEqual({});
    expect(toBody(tariffFormSchema.parse(values))).toEqual({
      name: "Неделя",
      description: null,
      duration_days: 7,
      price: "19.90",
      currency: "RUB",
      stars_price: 75,
      traffic_limit_gb: null,
      device_limit: null,
      location_id: null,
      is_active: true,
      is_promo: false,
      sort_order: 0,
    });
  });

  it("treats 'forever' as an empty duration and keeps a forever tariff forever", () => {
    const values = toFormValues(tariff);
    expect(values).toMatchObject({ forever: true, duration_days: "", price: "599.00", traffic_limit_gb: "100" });
    expect(toBody(tariffFormSchema.parse(values)).duration_days).toBeNull();
  });

  it("refuses prices that are not money and durations out of range", () => {
    const base = { ...toFormValues(null), name: "X" };
    expect(issues({ ...base, price: "49.999" })).toEqual({ price: "Сумма в рублях, до копеек: 49 или 49.90" });
    expect(issues({ ...base, price: "-5" })).toEqual({ price: "Сумма в рублях, до копеек: 49 или 49.90" });
    expect(issues({ ...base, price: "2000000" })).toEqual({ price: "Не больше 1 000 000" });
    expect(issues({ ...base, price: "10", duration_days: "0" })).toEqual({ duration_days: "Срок от 1 до 3650 дней или «Навсегда»" });
    expect(issues({ ...base, price: "10", device_limit: "500" })).toEqual({ device_limit: "Число от 1 до 100" });
  });

  it("renumbers a new order and sends only the tariffs that moved", () => {
    const order = [
      { id: "a", sort_order: 10 },
      { id: "c", sort_order: 30 },
      { id: "b", sort_order: 20 },
    ];
    expect(renumber(order)).toEqual([
      { id: "c", sort_order: 20 },
      { id: "b", sort_order: 30 },
    ]);
  });
});
