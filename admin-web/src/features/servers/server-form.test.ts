import { describe, expect, it } from "vitest";
import type { Server } from "@/api/types";
import { apiPathToField, buildSettings, serverFormSchema, toCreateBody, toFormValues, toUpdateBody, type ServerFormInput } from "./server-form";

function filled(overrides: Partial<ServerFormInput> = {}): ServerFormInput {
  return {
    ...toFormValues(null),
    name: "nl-1",
    location_id: "8a6e0f5e-3f1b-4a8e-9a59-1b0a3c2d4e5f",
    panel_url: "https://nl1.example.com:2053/secret/",
    username: "admin",
    password: "panel-password",
    ...overrides,
  };
}

function errorsOf(mode: "create" | "edit", values: ServerFormInput): Record<string, string> {
  const result = serverFormSchema(mode).safeParse(values);
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join("."), i.message]));
}

const existing: Server = {
  id: "0b7e2d6c-3c5a-4b0e-9f27-0a1c2d3e4f50",
  location_id: "8a6e0f5e-3f1b-4a8e-9a59-1b0a3c2d4e5f",
  name: "de-1",
  panel_type: "marzban",
  panel_url: "https://de1.example.com:8000/",
  has_password: true,
  has_api_token: false,
  max_users: 300,
  is_active: true,
  is_sandbox: false,
  settings: { proxies: { vless: { flow: "xtls-rprx-vision", custom: 1 }, shadowsocks: { method: "aes-256-gcm" } }, inbounds: { vless: ["VLESS TCP"], shadowsocks: [] } },
  health: "ok",
  last_check_at: null,
  last_latency_ms: null,
  last_error: null,
  api_generation: null,
  panel_version: null,
  active_users: 12,
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
};

describe("server form", () => {
  it("needs an inbound for 3x-ui and turns the ids into numbers", () => {
    expect(errorsOf("create", filled())).toEqual({ "xui.inbound_ids": "Укажите хотя бы один inbound" });
    const values = filled({ xui: { inbound_ids: ["3", "7"], sub_url: "", flow: "" } });
    expect(errorsOf("create", values)).toEqual({});
    const body = toCreateBody(serverFormSchema("create").parse(values));
    expect(body).toMatchObject({ panel_type: "3x-ui", max_users: 500, username: "admin", api_token: null });
    expect(body.settings).toEqual({ inbound_ids: [3, 7], flow: "" });
  });

  it("accepts a 3x-ui API token instead of username and password", () => {
    const values = filled({ username: "", password: "", api_token: "tok", xui: { inbound_ids: ["1"], sub_url: "", flow: "" } });
    expect(errorsOf("create", values)).toEqual({});
  });

  it("requires username and password for a new Marzban server and at least one protocol", () => {
    const base = filled({ panel_type: "marzban", username: "", password: "", api_token: "tok" });
    expect(errorsOf("create", base)).toEqual({ username: "Нужны логин и пароль", password: "Нужны логин и пароль" });
    const none = filled({ panel_type: "marzban" });
    none.marzban.vless.enabled = false;
    expect(errorsOf("create", none)).toEqual({ "marzban.vless.enabled": "Выберите хотя бы один протокол" });
  });

  it("sends a Marzban server with an inbounds entry for every chosen protocol", () => {
    const values = filled({ panel_type: "marzban" });
    values.marzban.shadowsocks.enabled = true;
    expect(errorsOf("create", values)).toEqual({});
    const body = toCreateBody(serverFormSchema("create").parse(values));
    expect(body.api_token).toBeNull();
    expect(body.settings).toEqual({
      proxies: { vless: { flow: "" }, shadowsocks: { method: "chacha20-ietf-poly1305" } },
      inbounds: { vless: [], shadowsocks: [] },
    });
  });

  it("edits without credentials and keeps settings keys it does not show", () => {
    const values = toFormValues(existing);
    expect(values.marzban.vless).toMatchObject({ enabled: true, flow: "xtls-rprx-vision", inbounds: ["VLESS TCP"] });
    expect(values.marzban.shadowsocks).toMatchObject({ enabled: true, method: "aes-256-gcm" });
    expect(values.marzban.vmess.enabled).toBe(false);
    expect(errorsOf("edit", values)).toEqual({});
    const body = toUpdateBody(serverFormSchema("edit").parse({ ...values, max_users: "800" }), existing);
    expect(body).not.toHaveProperty("password");
    expect(body).not.toHaveProperty("username");
    expect(body.max_users).toBe(800);
    expect(body.settings).toEqual({
      proxies: { vless: { flow: "xtls-rprx-vision", custom: 1 }, shadowsocks: { method: "aes-256-gcm" } },
      inbounds: { vless: ["VLESS TCP"], shadowsocks: [] },
    });
  });

  it("sends a new password only when typed, and an empty token to remove it", () => {
    const xui = { ...existing, panel_type: "3x-ui" as const, has_api_token: true, settings: { inbound_ids: [2], sub_url: "https://x.example.com/sub/" } };
    const values = serverFormSchema("edit").parse({ ...toFormValues(xui), password: "new-secret", clear_api_token: true });
    const body = toUpdateBody(values, xui);
    expect(body.password).toBe("new-secret");
    expect(body.api_token).toBe("");
    expect(buildSettings(values, xui.settings)).toEqual({ inbound_ids: [2], sub_url: "https://x.example.com/sub/", flow: "" });
  });

  it("rejects a panel URL without a scheme", () => {
    expect(errorsOf("create", filled({ panel_url: "nl1.example.com:2053", xui: { inbound_ids: ["1"], sub_url: "", flow: "" } }))).toEqual({
      panel_url: "Адрес вида https://host:port/путь/",
    });
  });

  it("places the API's validation paths on the form's fields", () => {
    expect(apiPathToField("settings.inbound_ids.0", "3x-ui")).toBe("xui.inbound_ids");
    expect(apiPathToField("settings.proxies", "marzban")).toBe("marzban.vless.enabled");
    expect(apiPathToField("name", "3x-ui")).toBe("name");
    expect(apiPathToField("", "3x-ui")).toBeNull();
  });
});
