// vue-i18n set-up: Russian is built in (the default), English is loaded when first chosen.
import { createI18n } from "vue-i18n";
import ru from "./ru";

export type AppLocale = "ru" | "en";
export type MessageSchema = typeof ru;

export const LOCALES: { code: AppLocale; label: string }[] = [
  { code: "ru", label: "Русский" },
  { code: "en", label: "English" },
];

/** Russian plural forms for "a | b | c" messages: 1 день, 2 дня, 5 дней (0 uses the third form). */
export function russianPlural(choice: number, choicesLength: number): number {
  if (choicesLength < 3) return choice === 1 ? 0 : 1;
  const n = Math.abs(choice) % 100;
  const last = n % 10;
  if (n > 10 && n < 20) return 2;
  if (last === 1) return 0;
  if (last >= 2 && last <= 4) return 1;
  return 2;
}

export const i18n = createI18n<[MessageSchema], AppLocale, false>({
  legacy: false,
  pluralRules: { ru: russianPlural },
  locale: "ru",
  fallbackLocale: "ru",
  messages: { ru } as Record<AppLocale, MessageSchema>,
  missingWarn: import.meta.env.DEV,
  fallbackWarn: false,
});

const loaders: Record<AppLocale, () => Promise<MessageSchema>> = {
  ru: async () => ru,
  en: async () => (await import("./en")).default,
};

/** Switch the language, loading its messages first when needed. */
export async function setLocale(locale: AppLocale): Promise<void> {
  const target: AppLocale = locale in loaders ? locale : "ru";
  if (!i18n.global.availableLocales.includes(target)) {
    i18n.global.setLocaleMessage(target, await loaders[target]());
  }
  i18n.global.locale.value = target;
  document.documentElement.lang = target;
}
