// Every unit test: a fetch that refuses unmocked requests, fresh storage, a desktop-sized matchMedia,
// and missing translations treated as failures.
import { enableAutoUnmount } from "@vue/test-utils";
import { afterEach, beforeEach, vi } from "vitest";
import { i18n } from "@/locales";
import { installZodErrorMap } from "@/validation";
import { assertNoUnmockedRequests, mockFetch, resetFetchMock } from "./fetch-mock";

installZodErrorMap();
enableAutoUnmount(afterEach);
i18n.global.setMissingHandler((locale, key) => {
  throw new Error(`missing translation ${locale}:${key}`);
});

export const viewport = { wide: true };

beforeEach(() => {
  vi.stubGlobal("scrollTo", () => {});
  resetFetchMock();
  localStorage.clear();
  viewport.wide = true;
  vi.stubGlobal("fetch", vi.fn(mockFetch));
  vi.stubGlobal(
    "matchMedia",
    vi.fn((query: string) => ({
      matches: query.includes("min-width") ? viewport.wide : false,
      media: query,
      onchange: null,
      addEventListener: () => {},
      removeEventListener: () => {},
      addListener: () => {},
      removeListener: () => {},
      dispatchEvent: () => false,
    })),
  );
});

afterEach(() => {
  assertNoUnmockedRequests();
});
