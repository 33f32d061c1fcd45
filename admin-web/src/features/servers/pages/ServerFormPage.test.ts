import { describe, expect, it, vi } from "vitest";
import type { Location, Server } from "@/api/types";
import { calls, json, mockApi } from "@/test/fetch-mock";
import { mountApp, settle } from "@/test/app";

const NL: Location = {
  id: "8a6e0f5e-3f1b-4a8e-9a59-1b0a3c2d4e5f",
  name: "Netherlands",
  country_code: "NL",
  flag_emoji: "🇳🇱",
  is_active: true,
  sort_order: 0,
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
};

const SERVER: Server = {
  id: "0b7e2d6c-3c5a-4b0e-9f27-0a1c2d3e4f50",
  location_id: NL.id,
  name: "nl-1",
  panel_type: "3x-ui",
  panel_url: "https://nl1.example.com:2053/secret/",
  has_password: true,
  has_api_token: false,
  max_users: 300,
  is_active: true,
  is_sandbox: false,
  settings: { inbound_ids: [1], sub_url: "https://nl1.example.com:2096/sub/", flow: "" },
  health: "ok",
  last_check_at: null,
  last_latency_ms: null,
  last_error: null,
  api_generation: "v3",
  panel_version: "3.1.0",
  active_users: 10,
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
};

function locations() {
  mockApi("GET", "/api/v1/admin/locations", { items: [NL], total: 1, page: 1, size: 200, pages: 1 });
}

async function setField(wrapper: Awaited<ReturnType<typeof mountApp>>["wrapper"], selector: string, value: string) {
  await wrapper.get(selector).setValue(value);
  await new Promise((resolve) => setTimeout(resolve, 20));
}

describe("server form", () => {
  it("creates a Marzban server with the protocols chosen in its editor", async () => {
    locations();
    mockApi("POST", "/api/v1/admin/servers", (_r: Request, body: unknown) => json(201, { ...SERVER, ...(body as object), id: "new" }));
    mockApi("GET", "/api/v1/admin/servers", { items: [], total: 0, page: 1, size: 20, pages: 0 });
    const { wrapper, router } = await mountApp("/servers/new");
    expect(wrapper.find('[data-testid="xui-settings"]').exists()).toBe(true);
    await wrapper.get('input[name="panel_type"][value="marzban"]').setValue(true);
    await settle();
    expect(wrapper.find('[data-testid="marzban-settings"]').exists()).toBe(true);
    await setField(wrapper, 'input[name="name"]', "de-1");
    await setField(wrapper, 'select[name="location_id"]', NL.id);
    await setField(wrapper, 'input[name="panel_url"]', "https://de1.example.com:8000/");
    await setField(wrapper, 'input[name="panel_username"]', "admin");
    await setField(wrapper, 'input[name="panel_password"]', "secret-pass");
    await wrapper.get('input[name="protocol-trojan"]').setValue(true);
    await wrapper.get("form").trigger("submit");
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe("servers"));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      name: "de-1",
      location_id: NL.id,
      panel_type: "marzban",
      panel_url: "https://de1.example.com:8000/",
      max_users: 500,
      is_active: true,
      username: "admin",
      password: "secret-pass",
      api_token: null,
      settings: { proxies: { vless: { flow: "" }, trojan: {} }, inbounds: { vless: [], trojan: [] } },
    });
  });

  it("edits without resending credentials and shows the API's errors on the right fields", async () => {
    locations();
    mockApi("GET", `/api/v1/admin/servers/${SERVER.id}`, SERVER);
    mockApi("PATCH", `/api/v1/admin/servers/${SERVER.id}`, () =>
      json(422, { error: "ValidationError", detail: [{ type: "greater_than", loc: ["body", "settings", "inbound_ids", 0], msg: "must be > 0", ctx: { gt: "0" } }] }),
    );
    const { wrapper } = await mountApp(`/servers/${SERVER.id}`);
    expect((wrapper.get('input[name="panel_password"]').element as HTMLInputElement).value).toBe("");
    expect(wrapper.text()).toContain("Пароль сохранён");
    expect((wrapper.get('input[name="panel_type"][value="marzban"]').element as HTMLInputElement).disabled).toBe(true);
    await setField(wrapper, 'input[name="max_users"]', "800");
    await wrapper.get("form").trigger("submit");
    await vi.waitFor(() => expect(wrapper.get('[data-testid="xui-settings"]').text()).toContain("Должно быть больше 0"));
    const body = calls.find((c) => c.method === "PATCH")?.body as Record<string, unknown>;
    expect(body).toMatchObject({ max_users: 800, settings: { inbound_ids: [1], sub_url: "https://nl1.example.com:2096/sub/", flow: "" } });
    expect(body).not.toHaveProperty("password");
    expect(body).not.toHaveProperty("username");
  });
});
