// Formatting shared by components: money from decimal strings (never through a float), dates in a zone.

const MONEY = /^-?\d+(\.\d+)?$/;

/** "1234.5" + RUB -> "1 234,50 ₽" (ru). The string goes to Intl as is, so no kopeck is lost to a float. */
export function formatMoney(value: string | number, currency: string, locale: string): string {
  const text = String(value).trim();
  if (!MONEY.test(text)) return text;
  const format = new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    currencyDisplay: "narrowSymbol",
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return format.format(text as Intl.StringNumericLiteral);
}

export type DateStyle = "datetime" | "date" | "time" | "full";

const STYLES: Record<DateStyle, Intl.DateTimeFormatOptions> = {
  datetime: { dateStyle: "medium", timeStyle: "short" },
  date: { dateStyle: "medium" },
  time: { timeStyle: "short" },
  // dateStyle/timeStyle cannot be combined with timeZoneName, so the long form spells out its parts.
  full: { year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" },
};

/** An ISO timestamp in the admin's time zone; "" for a missing or broken value. */
export function formatDate(iso: string | null | undefined, locale: string, timeZone: string, style: DateStyle = "datetime"): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(locale, { ...STYLES[style], timeZone }).format(date);
}

/** Offset of `timeZone` from UTC at `at`, in minutes (Moscow: +180). */
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60000);
}

/** Midnight of a calendar day ("2025-03-01") in `timeZone`, as a UTC ISO string for the API. */
export function startOfDayIso(day: string, timeZone: string): string {
  const [y, m, d] = day.split("-").map(Number);
  const guess = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1));
  // Two passes settle days when the zone's offset changes (DST) near midnight.
  let instant = guess.getTime() - zoneOffsetMinutes(timeZone, guess) * 60000;
  instant = guess.getTime() - zoneOffsetMinutes(timeZone, new Date(instant)) * 60000;
  return new Date(instant).toISOString();
}

/** The calendar day after `day` ("2025-03-01" -> "2025-03-02"). */
export function nextDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + 1)).toISOString().slice(0, 10);
}

/** A regional-indicator flag from a two-letter country code ("NL" -> 🇳🇱). */
export function flagFromCountry(code: string): string {
  if (!/^[A-Za-z]{2}$/.test(code)) return "";
  return String.fromCodePoint(...[...code.toUpperCase()].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
}

/** A decimal amount as the admin typed it ("49", "49,5") -> the API's form ("49.00"); null when invalid. */
export function normaliseMoneyInput(text: string): string | null {
  const cleaned = text.trim().replace(/\s+/g, "").replace(",", ".");
  if (!/^\d{1,10}(\.\d{1,2})?$/.test(cleaned)) return null;
  const [whole = "0", frac = ""] = cleaned.split(".");
  return `${BigInt(whole).toString()}.${frac.padEnd(2, "0")}`;
}
