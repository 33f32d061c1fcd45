// Mount the real app (router, stores, query cache, i18n) at a URL, signed in with a given role.
import { QueryClient, VueQueryPlugin } from "@tanstack/vue-query";
import { flushPromises, mount } from "@vue/test-utils";
import { createPinia, setActivePinia } from "pinia";
import { createMemoryHistory } from "vue-router";
import type { AdminRole, Me } from "@/api/types";
import { TOKENS_KEY } from "@/api/tokens";
import App from "@/App.vue";
import { i18n } from "@/locales";
import { createAppRouter } from "@/router";
import { mockApi } from "./fetch-mock";

export function meFor(role: AdminRole, overrides: Partial<Me> = {}): Me {
  return {
    id: "11111111-1111-4111-8111-111111111111",
    username: `${role}-user`,
    role,
    is_active: true,
    last_login_at: "2025-03-01T09:30:00Z",
    created_at: "2025-01-01T00:00:00Z",
    shop_name: "Test Shop",
    ...overrides,
  };
}

export function signIn(role: AdminRole | null): void {
  if (role === null) return;
  localStorage.setItem(TOKENS_KEY, JSON.stringify({ access: `access-${role}`, refresh: `refresh-${role}` }));
  mockApi("GET", "/api/v1/auth/me", meFor(role));
}

export async function mountApp(url: string, role: AdminRole | null = "owner") {
  signIn(role);
  const pinia = createPinia();
  setActivePinia(pinia);
  const router = createAppRouter(createMemoryHistory());
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } } });
  await router.push(url);
  const wrapper = mount(App, {
    attachTo: document.body,
    global: { plugins: [pinia, i18n, router, [VueQueryPlugin, { queryClient }]] },
  });
  await router.isReady();
  await settle();
  return { wrapper, router, queryClient };
}

/** Let requests, query updates and lazy route components finish. */
export async function settle(rounds = 6): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await flushPromises();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
