import createClient from "openapi-fetch";
import { describe, expect, it, vi } from "vitest";
import { calls, json, mockApi } from "@/test/fetch-mock";
import { createAuthFetch, createPlainClient, refreshExchange, unwrap } from "./client";
import { ApiError } from "./errors";
import type { paths } from "./generated/schema";
import { createSession } from "./session";
import { TOKENS_KEY, webTokenStore } from "./tokens";

const BASE = "http://api.test";
const PAIR = (n: number) => ({ access_token: `access-${n}`, refresh_token: `refresh-${n}`, token_type: "bearer", expires_in: 900 });

function setup(withLock?: <T>(fn: () => Promise<T>) => Promise<T>) {
  const onExpired = vi.fn();
  const session = createSession({
    store: webTokenStore(localStorage),
    exchange: refreshExchange(createPlainClient(BASE)),
    onExpired,
    withLock,
  });
  const api = createClient<paths>({ baseUrl: BASE, fetch: createAuthFetch(session) });
  return { session, api, onExpired };
}

function stored() {
  return JSON.parse(localStorage.getItem(TOKENS_KEY) ?? "null") as { access: string; refresh: string } | null;
}

/** /auth/me answers 401 to an expired token and 200 to access-2. */
function meAcceptsOnly(token: string) {
  mockApi("GET", "/api/v1/auth/me", (request: Request) =>
    request.headers.get("Authorization") === `Bearer ${token}`
      ? json(200, { id: "1", username: "owner", role: "owner" })
      : json(401, { error: "NotAuthenticated", detail: "Token expired" }),
  );
}

describe("API client", () => {
  it("sends the stored access token", async () => {
    const { session, api } = setup();
    session.save({ access: "access-1", refresh: "refresh-1" });
    meAcceptsOnly("access-1");
    const me = await unwrap(api.GET("/api/v1/auth/me"));
    expect(me.username).toBe("owner");
    expect(calls[0]?.headers.get("Authorization")).toBe("Bearer access-1");
  });

  it("refreshes an expired token once and replays the request, body included", async () => {
    const { session, api } = setup();
    session.save({ access: "access-1", refresh: "refresh-1" });
    mockApi("POST", "/api/v1/auth/refresh", () => json(200, PAIR(2)), 1);
    mockApi("POST", "/api/v1/admin/locations", (request: Request, body: unknown) =>
      request.headers.get("Authorization") === "Bearer access-2"
        ? json(201, { id: "loc", ...(body as object) })
        : json(401, { error: "NotAuthenticated", detail: "Token expired" }),
    );
    const created = await unwrap(api.POST("/api/v1/admin/locations", { body: { name: "USA", country_code: "US", flag_emoji: "", is_active: true, sort_order: 0 } }));
    expect(created).toMatchObject({ id: "loc", name: "USA" });
    expect(stored()).toEqual({ access: "access-2", refresh: "refresh-2" });
    const refreshCall = calls.find((c) => c.path === "/api/v1/auth/refresh");
    expect(refreshCall?.body).toEqual({ refresh_token: "refresh-1" });
    expect(calls.map((c) => c.path)).toEqual(["/api/v1/admin/locations", "/api/v1/auth/refresh", "/api/v1/admin/locations"]);
  });

  it("shares one refresh between requests that fail together (a refresh token is single use)", async () => {
    const { session, api } = setup();
    session.save({ access: "access-1", refresh: "refresh-1" });
    let refreshes = 0;
    mockApi("POST", "/api/v1/auth/refresh", async () => {
      refreshes += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return json(200, PAIR(2));
    });
    meAcceptsOnly("access-2");
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => unwrap(api.GET("/api/v1/auth/me"))));
    expect(results).toHaveLength(5);
    expect(refreshes).toBe(1);
  });

  it("uses tokens another tab already refreshed instead of replaying the old refresh token", async () => {
    // The lock is held by "another tab" that stores new tokens before letting us in.
    const otherTab = async <T>(fn: () => Promise<T>) => {
      localStorage.setItem(TOKENS_KEY, JSON.stringify({ access: "access-9", refresh: "refresh-9" }));
      return fn();
    };
    const { session, api } = setup(otherTab);
    session.save({ access: "access-1", refresh: "refresh-1" });
    meAcceptsOnly("access-9");
    await unwrap(api.GET("/api/v1/auth/me"));
    expect(calls.some((c) => c.path === "/api/v1/auth/refresh")).toBe(false);
  });

  it("ends the session when the refresh is refused and returns the 401", async () => {
    const { session, api, onExpired } = setup();
    session.save({ access: "access-1", refresh: "refresh-1" });
    mockApi("POST", "/api/v1/auth/refresh", () => json(401, { error: "NotAuthenticated", detail: "Refresh token already used" }));
    meAcceptsOnly("never");
    const error = await unwrap(api.GET("/api/v1/auth/me")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(stored()).toBeNull();
    expect(onExpired).toHaveBeenCalledOnce();
  });

  it("keeps the session when the refresh fails for a technical reason", async () => {
    const { session, api, onExpired } = setup();
    session.save({ access: "access-1", refresh: "refresh-1" });
    mockApi("POST", "/api/v1/auth/refresh", () => json(503, { error: "ServiceUnavailable", detail: "try again" }));
    meAcceptsOnly("never");
    const error = (await unwrap(api.GET("/api/v1/auth/me")).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe("ServiceUnavailable");
    expect(stored()).toEqual({ access: "access-1", refresh: "refresh-1" });
    expect(onExpired).not.toHaveBeenCalled();
  });

  it("never refreshes for a failed login", async () => {
    const { session, api } = setup();
    session.save({ access: "access-1", refresh: "refresh-1" });
    mockApi("POST", "/api/v1/auth/login", () => json(401, { error: "NotAuthenticated", detail: "Invalid username or password" }));
    const error = (await unwrap(api.POST("/api/v1/auth/login", { body: { username: "a", password: "b" } })).catch((e: unknown) => e)) as ApiError;
    expect(error.message).toBe("Invalid username or password");
    expect(calls.map((c) => c.path)).toEqual(["/api/v1/auth/login"]);
  });

  it("reports an unreachable API as a NetworkError", async () => {
    vi.stubGlobal("fetch", vi.fn(() => Promise.reject(new TypeError("Failed to fetch"))));
    const { api } = setup();
    const error = (await unwrap(api.GET("/api/v1/auth/me")).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe("NetworkError");
    expect(error.status).toBe(0);
  });
});
