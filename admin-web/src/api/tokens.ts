// Where the staff session's tokens live: localStorage, so every tab shares one session.
import type { TokenPair } from "./types";

export const TOKENS_KEY = "vpnshop.auth";

export interface StoredTokens {
  access: string;
  refresh: string;
}

export interface TokenStore {
  get(): StoredTokens | null;
  set(tokens: StoredTokens | null): void;
}

/** Tokens in Web Storage, read on every call so a refresh done by another tab is seen at once. */
export function webTokenStore(storage: Storage = window.localStorage): TokenStore {
  return {
    get() {
      const raw = storage.getItem(TOKENS_KEY);
      if (!raw) return null;
      try {
        const value = JSON.parse(raw) as Partial<StoredTokens>;
        return typeof value.access === "string" && typeof value.refresh === "string"
          ? { access: value.access, refresh: value.refresh }
          : null;
      } catch {
        return null;
      }
    },
    set(tokens) {
      if (tokens) storage.setItem(TOKENS_KEY, JSON.stringify(tokens));
      else storage.removeItem(TOKENS_KEY);
    },
  };
}

/** The stored form of a login or refresh answer. */
export function fromPair(pair: TokenPair): StoredTokens {
  return { access: pair.access_token, refresh: pair.refresh_token };
}
