import { describe, expect, it } from "vitest";
import { flagFromCountry, formatDate, formatMoney, nextDay, normaliseMoneyInput, startOfDayIso } from "./format";

describe("formatting", () => {
  it("formats money from decimal strings without losing kopecks", () => {
    const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");
    expect(plain(formatMoney("49", "RUB", "ru"))).toBe("49,00 ₽");
    expect(plain(formatMoney("12345678901234.57", "RUB", "ru"))).toBe("12 345 678 901 234,57 ₽");
    expect(plain(formatMoney("0.10", "RUB", "en"))).toBe("₽0.10");
    expect(formatMoney("not money", "RUB", "ru")).toBe("not money");
  });

  it("normalises typed amounts", () => {
    expect(normaliseMoneyInput(" 49,5 ")).toBe("49.50");
    expect(normaliseMoneyInput("1 000")).toBe("1000.00");
    expect(normaliseMoneyInput("007.1")).toBe("7.10");
    expect(normaliseMoneyInput("1.234")).toBeNull();
    expect(normaliseMoneyInput("")).toBeNull();
  });

  it("shows dates in the admin's zone", () => {
    expect(formatDate("2025-03-01T21:30:00Z", "ru", "Europe/Moscow", "date")).toBe("2 мар. 2025 г.");
    expect(formatDate("2025-03-01T21:30:00Z", "en", "America/New_York", "time")).toBe("4:30 PM");
    expect(formatDate(null, "ru", "UTC")).toBe("");
    expect(formatDate("garbage", "ru", "UTC")).toBe("");
  });

  it("turns a calendar day into the instant it starts in a zone, DST included", () => {
    expect(startOfDayIso("2025-03-01", "Europe/Moscow")).toBe("2025-02-28T21:00:00.000Z");
    expect(startOfDayIso("2025-03-30", "Europe/Berlin")).toBe("2025-03-29T23:00:00.000Z");
    expect(startOfDayIso("2025-03-31", "Europe/Berlin")).toBe("2025-03-30T22:00:00.000Z");
    expect(nextDay("2025-02-28")).toBe("2025-03-01");
  });

  it("builds flags from country codes", () => {
    expect(flagFromCountry("nl")).toBe("🇳🇱");
    expect(flagFromCountry("N1")).toBe("");
  });
});
