// The server form's model: values as the inputs hold them, the rules, and the API bodies built from them.
// Credentials are write-only: the API never returns them, so on edit an empty field means "keep".
import { z } from "zod";
import type { PanelType, Server, ServerCreate, ServerUpdate } from "@/api/types";
import { intText, msg, parseIntText } from "@/validation";

export const MARZBAN_PROTOCOLS = ["vless", "vmess", "trojan", "shadowsocks"] as const;
export type MarzbanProtocol = (typeof MARZBAN_PROTOCOLS)[number];
export const XUI_FLOWS = ["", "xtls-rprx-vision"] as const;
export const SHADOWSOCKS_METHODS = ["chacha20-ietf-poly1305", "aes-128-gcm", "aes-256-gcm"] as const;

type JsonObject = Record<string, unknown>;

/** "Choose at least one protocol" sits on the first protocol's checkbox, a field the form always has. */
export const PROTOCOLS_ERROR_PATH = "marzban.vless.enabled";

const protocolSchema = z.object({
  enabled: z.boolean(),
  flow: z.enum(XUI_FLOWS),
  method: z.enum(SHADOWSOCKS_METHODS),
  inbounds: z.array(z.string().trim().min(1).max(100)),
});

export function serverFormSchema(mode: "create" | "edit") {
  return z
    .object({
      name: z.string().trim().min(1).max(100),
      location_id: z.string().min(1),
      panel_type: z.enum(["3x-ui", "marzban"]),
      panel_url: z
        .string()
        .trim()
        .min(8)
        .max(500)
        .refine((v) => /^https?:\/\/[^\s/]+(\/\S*)?$/.test(v), msg("servers.rules.panelUrl")),
      max_users: intText(1, 1_000_000),
      is_active: z.boolean(),
      username: z.string().max(200),
      password: z.string().max(500),
      api_token: z.string().max(1000),
      clear_api_token: z.boolean(),
      xui: z.object({
        inbound_ids: z.array(z.string().regex(/^\d+$/)).max(50),
        sub_url: z
          .string()
          .trim()
          .max(500)
          .refine((v) => v === "" || /^https?:\/\/\S+$/.test(v), msg("servers.rules.subUrl")),
        flow: z.enum(XUI_FLOWS),
      }),
      marzban: z.object(
        Object.fromEntries(MARZBAN_PROTOCOLS.map((p) => [p, protocolSchema])) as Record<MarzbanProtocol, typeof protocolSchema>,
      ),
    })
    .superRefine((v, ctx) => {
      const isXui = v.panel_type === "3x-ui";
      if (isXui && v.xui.inbound_ids.length === 0) {
        ctx.addIssue({ code: "custom", path: ["xui", "inbound_ids"], ...msg("servers.rules.inbounds")() });
      }
      if (!isXui && !MARZBAN_PROTOCOLS.some((p) => v.marzban[p].enabled)) {
        ctx.addIssue({ code: "custom", path: PROTOCOLS_ERROR_PATH.split("."), ...msg("servers.rules.protocols")() });
      }
      if (mode === "create") {
        const pair = v.username.trim() !== "" && v.password !== "";
        const token = isXui && v.api_token.trim() !== "";
        if (!pair && !token) {
          const rule = isXui ? "servers.rules.credentialsXui" : "servers.rules.credentialsMarzban";
          if (!v.username.trim()) ctx.addIssue({ code: "custom", path: ["username"], ...msg(rule)() });
          if (!v.password) ctx.addIssue({ code: "custom", path: ["password"], ...msg(rule)() });
        }
      }
    });
}

export type ServerFormInput = z.input<ReturnType<typeof serverFormSchema>>;
export type ServerFormOutput = z.output<ReturnType<typeof serverFormSchema>>;

function asObject(value: unknown): JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.find((a) => a === value) ?? fallback;
}

/** The form's values for a new server (`null`) or an existing one. */
export function toFormValues(server: Server | null): ServerFormInput {
  const settings = asObject(server?.settings);
  const proxies = asObject(settings.proxies);
  const inbounds = asObject(settings.inbounds);
  const isXui = (server?.panel_type ?? "3x-ui") === "3x-ui";
  const marzban = Object.fromEntries(
    MARZBAN_PROTOCOLS.map((p) => {
      const proxy = asObject(proxies[p]);
      const tags = Array.isArray(inbounds[p]) ? (inbounds[p] as unknown[]).map(String) : [];
      return [
        p,
        {
          // A new Marzban server starts with VLESS, the usual choice.
          enabled: server && !isXui ? p in proxies : p === "vless",
          flow: pick(proxy.flow, XUI_FLOWS, ""),
          method: pick(proxy.method, SHADOWSOCKS_METHODS, "chacha20-ietf-poly1305"),
          inbounds: tags,
        },
      ];
    }),
  ) as ServerFormInput["marzban"];
  return {
    name: server?.name ?? "",
    location_id: server?.location_id ?? "",
    panel_type: server?.panel_type ?? "3x-ui",
    panel_url: server?.panel_url ?? "",
    max_users: String(server?.max_users ?? 500),
    is_active: server?.is_active ?? true,
    username: "",
    password: "",
    api_token: "",
    clear_api_token: false,
    xui: {
      inbound_ids: isXui && Array.isArray(settings.inbound_ids) ? (settings.inbound_ids as unknown[]).map(String) : [],
      sub_url: isXui && typeof settings.sub_url === "string" ? settings.sub_url : "",
      flow: isXui ? pick(settings.flow, XUI_FLOWS, "") : "",
    },
    marzban,
  };
}

/** The `settings` object of the panel type; keys this form does not edit are kept from `previous`. */
export function buildSettings(values: ServerFormOutput, previous: JsonObject = {}): JsonObject {
  if (values.panel_type === "3x-ui") {
    const settings: JsonObject = { ...previous, inbound_ids: values.xui.inbound_ids.map(Number), flow: values.xui.flow };
    if (values.xui.sub_url) settings.sub_url = values.xui.sub_url;
    else delete settings.sub_url;
    return settings;
  }
  const oldProxies = asObject(previous.proxies);
  const proxies: JsonObject = {};
  const inbounds: JsonObject = {};
  for (const p of MARZBAN_PROTOCOLS) {
    const form = values.marzban[p];
    if (!form.enabled) continue;
    const proxy: JsonObject = { ...asObject(oldProxies[p]) };
    if (p === "vless") proxy.flow = form.flow;
    if (p === "shadowsocks") proxy.method = form.method;
    proxies[p] = proxy;
    inbounds[p] = form.inbounds;
  }
  return { ...previous, proxies, inbounds };
}

export function toCreateBody(values: ServerFormOutput): ServerCreate {
  const isXui = values.panel_type === "3x-ui";
  return {
    name: values.name,
    location_id: values.location_id,
    panel_type: values.panel_type as PanelType,
    panel_url: values.panel_url,
    max_users: parseIntText(values.max_users) ?? 500,
    is_active: values.is_active,
    username: values.username.trim() || null,
    password: values.password || null,
    api_token: isXui ? values.api_token.trim() || null : null,
    settings: buildSettings(values),
  };
}

/** Only what the form may change; credentials only when typed (or the token explicitly removed). */
export function toUpdateBody(values: ServerFormOutput, server: Server): ServerUpdate {
  const body: ServerUpdate = {
    name: values.name,
    location_id: values.location_id,
    panel_url: values.panel_url,
    max_users: parseIntText(values.max_users) ?? 500,
    is_active: values.is_active,
    settings: buildSettings(values, server.panel_type === values.panel_type ? asObject(server.settings) : {}),
  };
  if (values.username.trim()) body.username = values.username.trim();
  if (values.password) body.password = values.password;
  if (values.panel_type === "3x-ui") {
    if (values.api_token.trim()) body.api_token = values.api_token.trim();
    else if (values.clear_api_token) body.api_token = "";
  }
  return body;
}

/** Where an API validation path belongs in this form (null: show it above the buttons). */
export function apiPathToField(path: string, panelType: PanelType): string | null {
  if (path.startsWith("settings.inbound_ids")) return "xui.inbound_ids";
  if (path.startsWith("settings.sub_url")) return "xui.sub_url";
  if (path.startsWith("settings.flow")) return "xui.flow";
  if (path.startsWith("settings.")) return panelType === "marzban" ? PROTOCOLS_ERROR_PATH : null;
  const simple = ["name", "location_id", "panel_url", "max_users", "username", "password", "api_token"];
  return simple.includes(path) ? path : null;
}
