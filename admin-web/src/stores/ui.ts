// UI preferences of this browser: theme, language, time zone. Server state never lives here.
import { useLocalStorage, usePreferredDark } from "@vueuse/core";
import { defineStore } from "pinia";
import { computed, ref, watch } from "vue";
import { setLocale, type AppLocale } from "@/locales";

export type ThemeChoice = "system" | "light" | "dark";

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const useUiStore = defineStore("ui", () => {
  const theme = useLocalStorage<ThemeChoice>("vpnshop.theme", "system", { writeDefaults: false });
  const locale = useLocalStorage<AppLocale>("vpnshop.locale", "ru", { writeDefaults: false });
  // Empty = follow this browser's zone.
  const timeZoneChoice = useLocalStorage<string>("vpnshop.timeZone", "", { writeDefaults: false });
  // Remembered so the login page can greet with the shop's name before anyone is signed in.
  const shopName = useLocalStorage<string>("vpnshop.shopName", "", { writeDefaults: false });
  const sidebarOpen = ref(false);

  const prefersDark = usePreferredDark();
  const isDark = computed(() => theme.value === "dark" || (theme.value === "system" && prefersDark.value));
  const timeZone = computed(() =>
    timeZoneChoice.value && isValidTimeZone(timeZoneChoice.value) ? timeZoneChoice.value : browserTimeZone(),
  );

  watch(isDark, (dark) => document.documentElement.classList.toggle("dark", dark), { immediate: true });
  watch(locale, (value) => void setLocale(value), { immediate: true });

  function cycleTheme(): void {
    const order: ThemeChoice[] = ["system", "light", "dark"];
    theme.value = order[(order.indexOf(theme.value) + 1) % order.length] ?? "system";
  }

  return { theme, locale, timeZoneChoice, timeZone, shopName, sidebarOpen, isDark, cycleTheme };
});
