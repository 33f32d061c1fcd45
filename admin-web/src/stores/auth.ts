// The signed-in staff account. Tokens live in the API session (shared by tabs); this holds who it is.
import { defineStore } from "pinia";
import { computed, ref } from "vue";
import { api, plainApi, session, unwrap } from "@/api/client";
import { fromPair } from "@/api/tokens";
import type { AdminRole, Me } from "@/api/types";
import { hasRole } from "@/roles";
import { useUiStore } from "./ui";

export type AuthStatus = "unknown" | "signed-in" | "signed-out";

export const useAuthStore = defineStore("auth", () => {
  const me = ref<Me | null>(null);
  const status = ref<AuthStatus>("unknown");
  const role = computed<AdminRole | null>(() => me.value?.role ?? null);

  function remember(account: Me): void {
    me.value = account;
    status.value = "signed-in";
    useUiStore().shopName = account.shop_name;
  }

  function forget(): void {
    me.value = null;
    status.value = "signed-out";
  }

  async function loadMe(): Promise<Me> {
    const account = await unwrap(api.GET("/api/v1/auth/me"));
    remember(account);
    return account;
  }

  /** Resolve who is signed in at start-up (stored tokens, refreshed when needed). */
  async function restore(): Promise<void> {
    if (status.value !== "unknown") return;
    if (!session.accessToken()) return forget();
    try {
      await loadMe();
    } catch {
      // The session is gone (refresh refused) or the API is unreachable: the login page explains either.
      forget();
    }
  }

  async function login(username: string, password: string): Promise<Me> {
    const pair = await unwrap(plainApi.POST("/api/v1/auth/login", { body: { username, password } }));
    session.save(fromPair(pair));
    return loadMe();
  }

  async function logout(): Promise<void> {
    const refresh = session.refreshToken();
    try {
      if (session.accessToken()) {
        await api.POST("/api/v1/auth/logout", { body: { refresh_token: refresh } });
      }
    } catch {
      // Signing out here must work offline too; the tokens expire on their own.
    } finally {
      session.clear();
      forget();
    }
  }

  return { me, status, role, loadMe, restore, login, logout, forget, can: (r: AdminRole) => hasRole(role.value, r) };
});

