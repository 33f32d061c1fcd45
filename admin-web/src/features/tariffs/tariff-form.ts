// The tariff form's model: text inputs -> the API body. Empty limits mean "unlimited", an empty duration
// with "forever" ticked means a plan that never expires (duration_days: null).
import { z } from "zod";
import type { Tariff, TariffCreate } from "@/api/types";
import { normaliseMoneyInput } from "@/format";
import { intText, msg, parseIntText } from "@/validation";

export const tariffFormSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(2000),
    forever: z.boolean(),
    duration_days: z.string().trim(),
    price: z
      .string()
      .refine((v) => normaliseMoneyInput(v) !== null, msg("tariffs.rules.price"))
      .refine((v) => Number(normaliseMoneyInput(v) ?? 0) <= 1_000_000, msg("validation.max", { n: "1 000 000" })),
    stars_price: intText(1, 100_000, { optional: true }),
    traffic_limit_gb: intText(1, 1_000_000, { optional: true }),
    device_limit: intText(1, 100, { optional: true }),
    location_id: z.string(),
    is_active: z.boolean(),
    is_promo: z.boolean(),
    sort_order: intText(-10_000, 10_000),
  })
  .superRefine((v, ctx) => {
    if (v.forever) return;
    const days = Number(v.duration_days);
    if (!/^\d+$/.test(v.duration_days) || days < 1 || days > 3650) {
      ctx.addIssue({ code: "custom", path: ["duration_days"], ...msg("tariffs.rules.duration")() });
    }
  });

export type TariffFormInput = z.input<typeof tariffFormSchema>;
export type TariffFormOutput = z.output<typeof tariffFormSchema>;

export function toFormValues(tariff: Tariff | null): TariffFormInput {
  const text = (n: number | null | undefined) => (n === null || n === undefined ? "" : String(n));
  return {
    name: tariff?.name ?? "",
    description: tariff?.description ?? "",
    forever: tariff ? tariff.duration_days === null : false,
    duration_days: tariff ? text(tariff.duration_days) : "30",
    price: tariff?.price ?? "",
    stars_price: text(tariff?.stars_price),
    traffic_limit_gb: text(tariff?.traffic_limit_gb),
    device_limit: text(tariff?.device_limit),
    location_id: tariff?.location_id ?? "",
    is_active: tariff?.is_active ?? true,
    is_promo: tariff?.is_promo ?? false,
    sort_order: text(tariff?.sort_order ?? 0),
  };
}

/** The full body (create and PATCH alike: explicit nulls clear the nullable fields). */
export function toBody(values: TariffFormOutput): TariffCreate {
  return {
    name: values.name,
    description: values.description || null,
    duration_days: values.forever ? null : Number(values.duration_days),
    price: normaliseMoneyInput(values.price) ?? "0.00",
    currency: "RUB",
    stars_price: parseIntText(values.stars_price),
    traffic_limit_gb: parseIntText(values.traffic_limit_gb),
    device_limit: parseIntText(values.device_limit),
    location_id: values.location_id || null,
    is_active: values.is_active,
    is_promo: values.is_promo,
    sort_order: parseIntText(values.sort_order) ?? 0,
  };
}
