import { describe, expect, it, vi } from "vitest";
import { calls, json, mockApi } from "@/test/fetch-mock";
import { mountApp, settle } from "@/test/app";

const EMPTY = { items: [], total: 0, page: 1, size: 20, pages: 0 };

function dialog(): HTMLElement {
  const el = document.querySelector<HTMLElement>('[role="dialog"]');
  if (!el) throw new Error("dialog is not open");
  return el;
}

async function type(name: string, value: string): Promise<void> {
  const input = dialog().querySelector<HTMLInputElement>(`[name="${name}"]`);
  if (!input) throw new Error(`no field ${name}`);
  input.value = value;
  input.dispatchEvent(new Event("input"));
  input.dispatchEvent(new Event("blur"));
  // vee-validate debounces field validation by a few milliseconds; let it finish like a real pause would.
  await new Promise((resolve) => setTimeout(resolve, 20));
  await settle();
}

async function submit(): Promise<void> {
  dialog().querySelector("form")?.dispatchEvent(new Event("submit", { cancelable: true }));
  await settle();
}

function errors(): string[] {
  return [...dialog().querySelectorAll('[data-testid="field-error"]')].map((e) => e.textContent?.trim() ?? "");
}

async function openCreate() {
  mockApi("GET", "/api/v1/admin/locations", EMPTY);
  const app = await mountApp("/locations");
  await app.wrapper.get('[data-testid="add-location"]').trigger("click");
  await settle();
  return app;
}

describe("location form", () => {
  it("validates next to the fields without calling the API", async () => {
    await openCreate();
    await type("country_code", "Finland");
    await type("sort_order", "1.5");
    await submit();
    expect(errors()).toEqual(["Обязательное поле", "Две латинские буквы, например NL", "Введите целое число"]);
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
  });

  it("fills the flag from the country code and sends a clean body", async () => {
    await openCreate();
    mockApi("POST", "/api/v1/admin/locations", (_r: Request, body: unknown) => json(201, { id: "new", created_at: "", updated_at: "", ...(body as object) }));
    await type("name", "  Finland ");
    await type("country_code", "fi");
    expect(dialog().querySelector<HTMLInputElement>('[name="flag_emoji"]')?.value).toBe("🇫🇮");
    await submit();
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      name: "Finland",
      country_code: "FI",
      flag_emoji: "🇫🇮",
      sort_order: 0,
      is_active: true,
    });
    expect(document.querySelector('[role="dialog"]')).toBeNull();
    expect(document.querySelector('[data-testid="toast"]')?.textContent).toContain("Локация «Finland» добавлена");
  });

  it("puts the API's conflict on the name field and keeps the dialog open", async () => {
    await openCreate();
    mockApi("POST", "/api/v1/admin/locations", () => json(409, { error: "LocationNameTaken", detail: "A location with this name already exists" }));
    await type("name", "USA");
    await type("country_code", "US");
    await submit();
    await vi.waitFor(() => expect(errors()).toEqual(["Локация с таким названием уже есть."]));
  });

  it("shows the API's 422 issues on their fields", async () => {
    await openCreate();
    mockApi("POST", "/api/v1/admin/locations", () =>
      json(422, { error: "ValidationError", detail: [{ type: "string_too_long", loc: ["body", "flag_emoji"], msg: "too long", ctx: { max_length: "16" } }] }),
    );
    await type("name", "USA");
    await type("country_code", "US");
    await submit();
    await vi.waitFor(() => expect(errors()).toEqual(["Не длиннее 16 символов"]));
  });
});
