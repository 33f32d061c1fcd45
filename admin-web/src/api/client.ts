// The typed API client: openapi-fetch over the generated schema, with the staff bearer token and one
// automatic refresh-and-retry when the access token has expired.
import createClient from "openapi-fetch";
import { ApiError, networkError, toApiError } from "./errors";
import type { paths } from "./generated/schema";
import { createSession, type RefreshOutcome, type Session } from "./session";
import { fromPair, webTokenStore } from "./tokens";

/** The backend's base URL; empty means this origin (the preview and dev servers proxy /api). */
export function apiBaseUrl(): string {
  return (import.meta.env.VITE_API_BASE_URL ?? "").replace(/\/+$/, "");
}

// Their 401 means "wrong credentials" or "session over", never "refresh and retry".
const NO_RETRY_PATHS = ["/api/v1/auth/login", "/api/v1/auth/refresh"];

function withBearer(request: Request, token: string | null): Request {
  if (!token) return request;
  const headers = new Headers(request.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return new Request(request, { headers });
}

/** A fetch that adds the bearer token and, on a 401, refreshes once (shared) and replays the request. */
export function createAuthFetch(session: Session): (request: Request) => Promise<Response> {
  return async (request) => {
    const replay = request.clone();
    const token = session.accessToken();
    const response = await globalThis.fetch(withBearer(request, token));
    if (response.status !== 401 || !token) return response;
    if (NO_RETRY_PATHS.some((path) => new URL(request.url).pathname.endsWith(path))) return response;
    if (!(await session.refresh(token))) return response;
    return globalThis.fetch(withBearer(replay, session.accessToken()));
  };
}

/** A client without the token logic, for login and refresh themselves. */
export function createPlainClient(baseUrl = apiBaseUrl()) {
  return createClient<paths>({ baseUrl, fetch: (request) => globalThis.fetch(request) });
}

/** POST /auth/refresh as the session needs it: new tokens, "rejected", or a thrown technical error. */
export function refreshExchange(plain = createPlainClient()) {
  return async (refreshToken: string): Promise<RefreshOutcome> => {
    let result;
    try {
      result = await plain.POST("/api/v1/auth/refresh", { body: { refresh_token: refreshToken } });
    } catch (cause) {
      throw networkError(cause);
    }
    const { data, error, response } = result;
    if (data) return fromPair(data);
    if (response.status === 401 || response.status === 422) return "rejected";
    throw toApiError(response.status, error);
  };
}

const expiredListeners = new Set<() => void>();

/** Be told when the session is over (a refresh was refused); returns the unsubscribe function. */
export function onSessionExpired(listener: () => void): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

export const session: Session = createSession({
  store: webTokenStore(),
  exchange: refreshExchange(),
  onExpired: () => expiredListeners.forEach((listener) => listener()),
});

/** The app's API client. */
export const api = createClient<paths>({ baseUrl: apiBaseUrl(), fetch: createAuthFetch(session) });
export const plainApi = createPlainClient();

/** Await an openapi-fetch call and return its data, or throw an ApiError (NetworkError when unreachable). */
export async function unwrap<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  let result;
  try {
    result = await call;
  } catch (cause) {
    if (cause instanceof ApiError) throw cause;
    throw networkError(cause);
  }
  const { data, error, response } = result;
  if (!response.ok) throw toApiError(response.status, error);
  return data as D;
}
