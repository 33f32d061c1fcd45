// The staff session: which access token to send, and one refresh at a time when it expires.
//
// Refresh tokens are single use and the API revokes the whole session when one is replayed, so two
// refreshes with the same token (two requests failing together, or two tabs) would log the admin out.
// Within a tab concurrent callers share one in-flight refresh; across tabs a Web Lock serialises them
// and whoever comes second finds fresh tokens already stored and just uses them.
import type { StoredTokens, TokenStore } from "./tokens";

/** What exchanging a refresh token gave: new tokens, or a definite "this session is over". */
export type RefreshOutcome = StoredTokens | "rejected";

export interface SessionOptions {
  store: TokenStore;
  /** Calls POST /auth/refresh; throws on a network or server failure (the session is then kept). */
  exchange: (refreshToken: string) => Promise<RefreshOutcome>;
  /** Runs `fn` while holding a lock shared by every tab of the origin (Web Locks when available). */
  withLock?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Called once the session is definitely over (refresh rejected). */
  onExpired?: () => void;
}

export interface Session {
  accessToken(): string | null;
  refreshToken(): string | null;
  /** Make sure the token that just got a 401 is replaced; true when a usable token is stored now. */
  refresh(failedAccessToken: string | null): Promise<boolean>;
  save(tokens: StoredTokens): void;
  clear(): void;
}

export const LOCK_NAME = "vpnshop.auth.refresh";

/** The cross-tab lock of the browser, or none (each tab on its own) where Web Locks are missing. */
export function browserLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? (locks.request(LOCK_NAME, fn) as Promise<T>) : fn();
}

export function createSession(options: SessionOptions): Session {
  const { store, exchange } = options;
  const withLock = options.withLock ?? browserLock;
  let inflight: Promise<boolean> | null = null;

  async function doRefresh(failedAccessToken: string | null): Promise<boolean> {
    const current = store.get();
    if (!current) return false;
    // Someone else (this tab or another) already replaced the token that failed.
    if (current.access !== failedAccessToken) return true;
    const outcome = await exchange(current.refresh);
    if (outcome === "rejected") {
      // Another tab may have logged in again meanwhile; only drop the tokens we tried.
      if (store.get()?.refresh === current.refresh) store.set(null);
      options.onExpired?.();
      return false;
    }
    store.set(outcome);
    return true;
  }

  return {
    accessToken: () => store.get()?.access ?? null,
    refreshToken: () => store.get()?.refresh ?? null,
    refresh(failedAccessToken) {
      inflight ??= withLock(() => doRefresh(failedAccessToken)).finally(() => {
        inflight = null;
      });
      return inflight;
    },
    save: (tokens) => store.set(tokens),
    clear: () => store.set(null),
  };
}
