import { describe, expect, it } from "vitest";
import en from "./en";
import { i18n, russianPlural } from "./index";
import ru from "./ru";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("translations", () => {
  it("have the same keys in Russian and English", () => {
    expect(keys(en).sort()).toEqual(keys(ru).sort());
  });

  it("fail the unit tests when a key is missing", () => {
    expect(() => i18n.global.t("no.such.key")).toThrow("missing translation ru:no.such.key");
  });

  it("pick Russian plural forms", () => {
    expect([1, 2, 5, 11, 21, 22, 25, 111, 0].map((n) => russianPlural(n, 3))).toEqual([0, 1, 2, 2, 0, 1, 2, 2, 2]);
  });
});
