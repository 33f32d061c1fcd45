import { describe, expect, it, vi } from "vitest";
import { TOKENS_KEY } from "@/api/tokens";
import { calls, json, mockApi } from "@/test/fetch-mock";
import { meFor, mountApp, settle } from "@/test/app";

async function fill(wrapper: Awaited<ReturnType<typeof mountApp>>["wrapper"], username: string, password: string) {
  await wrapper.get('input[name="username"]').setValue(username);
  await wrapper.get('input[name="password"]').setValue(password);
  await wrapper.get("form").trigger("submit");
  await settle();
}

describe("login page", () => {
  it("checks the fields before asking the API", async () => {
    const { wrapper } = await mountApp("/login", null);
    await fill(wrapper, "", "");
    expect(wrapper.findAll('[data-testid="field-error"]').map((e) => e.text())).toEqual(["Обязательное поле", "Обязательное поле"]);
    expect(calls).toHaveLength(0);
  });

  it("shows a wrong password as a message and stays", async () => {
    mockApi("POST", "/api/v1/auth/login", () => json(401, { error: "NotAuthenticated", detail: "Invalid username or password" }));
    const { wrapper, router } = await mountApp("/login", null);
    await fill(wrapper, "owner", "wrong");
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe("Неверный логин или пароль.");
    expect(router.currentRoute.value.name).toBe("login");
    expect(localStorage.getItem(TOKENS_KEY)).toBeNull();
  });

  it("stores the session and returns to the page that asked for it", async () => {
    mockApi("POST", "/api/v1/auth/login", { access_token: "a1", refresh_token: "r1", token_type: "bearer", expires_in: 900 });
    mockApi("GET", "/api/v1/auth/me", meFor("owner", { shop_name: "Лучший VPN" }));
    mockApi("GET", "/api/v1/admin/tariffs", { items: [], total: 0, page: 1, size: 20, pages: 0 });
    mockApi("GET", "/api/v1/admin/locations", { items: [], total: 0, page: 1, size: 200, pages: 0 });
    const { wrapper, router } = await mountApp("/login?redirect=/tariffs", null);
    await fill(wrapper, "owner", "right-password");
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe("/tariffs"));
    await settle();
    expect(JSON.parse(localStorage.getItem(TOKENS_KEY) ?? "{}")).toEqual({ access: "a1", refresh: "r1" });
    expect(wrapper.get('[data-testid="shop-name"]').text()).toBe("Лучший VPN");
  });

  it("signs out: revokes the session in the API and forgets the tokens", async () => {
    mockApi("GET", "/api/v1/admin/servers", { items: [], total: 0, page: 1, size: 20, pages: 0 });
    mockApi("GET", "/api/v1/admin/locations", { items: [], total: 0, page: 1, size: 200, pages: 0 });
    mockApi("POST", "/api/v1/auth/logout", () => json(204, null));
    const { wrapper, router } = await mountApp("/servers", "owner");
    await wrapper.get('[data-testid="account-menu"]').trigger("click");
    await wrapper.get('[data-testid="logout"]').trigger("click");
    await settle();
    expect(calls.find((c) => c.path === "/api/v1/auth/logout")?.body).toEqual({ refresh_token: "refresh-owner" });
    expect(localStorage.getItem(TOKENS_KEY)).toBeNull();
    expect(router.currentRoute.value.name).toBe("login");
  });
});
