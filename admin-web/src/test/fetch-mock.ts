// A fetch stand-in for unit tests: each test declares the requests it expects; anything else fails the
// test (the mock answers 599 and records it, and setup.ts asserts after each test that none happened).
import { expect } from "vitest";

export type Handler = (request: Request, body: unknown) => Response | Promise<Response>;

interface Route {
  method: string;
  path: string | RegExp;
  handler: Handler;
  times: number;
}

const routes: Route[] = [];
const unmocked: string[] = [];
export const calls: { method: string; path: string; search: string; body: unknown; headers: Headers }[] = [];

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/** Answer `method path` (exact path or a RegExp) with `handler`, `times` times (Infinity by default). */
export function mockApi(method: string, path: string | RegExp, handler: Handler | unknown, times = Infinity): void {
  const fn: Handler = typeof handler === "function" ? (handler as Handler) : () => json(200, handler);
  routes.push({ method: method.toUpperCase(), path, handler: fn, times });
}

async function readBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function mockFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request ? input : new Request(input, init);
  const url = new URL(request.url);
  const body = await readBody(request.clone());
  calls.push({ method: request.method, path: url.pathname, search: url.search, body, headers: request.headers });
  const route = routes.find(
    (r) =>
      r.times > 0 &&
      r.method === request.method &&
      (typeof r.path === "string" ? r.path === url.pathname : r.path.test(url.pathname)),
  );
  if (!route) {
    unmocked.push(`${request.method} ${url.pathname}${url.search}`);
    return json(599, { error: "UnmockedRequest", detail: `${request.method} ${url.pathname} is not mocked` });
  }
  route.times -= 1;
  return route.handler(request, body);
}

export function resetFetchMock(): void {
  routes.length = 0;
  calls.length = 0;
  unmocked.length = 0;
}

export function assertNoUnmockedRequests(): void {
  const seen = [...unmocked];
  unmocked.length = 0;
  expect(seen, "requests without a mock").toEqual([]);
}
