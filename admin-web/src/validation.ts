// Zod messages in the admin's language. Schemas add their own rule messages through `msg(key)`.
import { z } from "zod";
import { i18n } from "@/locales";

const t = (key: string, params: Record<string, unknown> = {}) => i18n.global.t(key, params);

/** A message that is translated when the rule fails, so a language switch needs no schema rebuild. */
export function msg(key: string, params: Record<string, unknown> = {}): () => { message: string } {
  return () => ({ message: t(key, params) });
}

export const zodErrorMap: z.ZodErrorMap = (issue, ctx) => {
  switch (issue.code) {
    case z.ZodIssueCode.invalid_type:
      if (issue.received === "undefined" || issue.received === "null") return { message: t("validation.required") };
      if (issue.expected === "number" || issue.expected === "integer") return { message: t("validation.number") };
      break;
    case z.ZodIssueCode.too_small:
      if (issue.type === "string") {
        return { message: Number(issue.minimum) <= 1 ? t("validation.required") : t("validation.minLength", { n: issue.minimum }) };
      }
      if (issue.type === "number") return { message: t(issue.inclusive ? "validation.min" : "validation.greaterThan", { n: issue.minimum }) };
      if (issue.type === "array") return { message: t("validation.minItems", { n: issue.minimum }) };
      break;
    case z.ZodIssueCode.too_big:
      if (issue.type === "string") return { message: t("validation.maxLength", { n: issue.maximum }) };
      if (issue.type === "number") return { message: t("validation.max", { n: issue.maximum }) };
      if (issue.type === "array") return { message: t("validation.maxItems", { n: issue.maximum }) };
      break;
    case z.ZodIssueCode.invalid_string:
      if (issue.validation === "url") return { message: t("validation.url") };
      return { message: t("validation.format") };
    case z.ZodIssueCode.not_multiple_of:
    case z.ZodIssueCode.invalid_enum_value:
      return { message: t("validation.choice") };
    default:
      break;
  }
  return { message: ctx.defaultError };
};

export function installZodErrorMap(): void {
  z.setErrorMap(zodErrorMap);
}

// Number fields keep their text in the form: vee-validate passes valid values through the schema (its
// "cast"), so a transform would turn the field's text into a number and the next validation would fail.
// The API body is built from the text with parseIntText.

/** A whole number typed into a text field, from `min` to `max`; empty allowed when `optional`. */
export function intText(min: number, max: number, options: { optional?: boolean } = {}) {
  const base = options.optional ? z.string().trim() : z.string().trim().min(1);
  return base
    .refine((v) => v === "" || /^-?\d+$/.test(v), msg("validation.integer"))
    .refine((v) => v === "" || (Number(v) >= min && Number(v) <= max), msg("validation.between", { min, max }));
}

/** The number in a validated intText field ("" -> null). */
export function parseIntText(text: string): number | null {
  const trimmed = text.trim();
  return trimmed === "" ? null : Number(trimmed);
}
