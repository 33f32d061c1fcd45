// A vee-validate form with a zod schema that also knows the API's errors: 422 issues land on their
// fields, known conflict codes on the field they concern, anything else in a banner above the buttons.
import { toTypedSchema } from "@vee-validate/zod";
import { useForm } from "vee-validate";
import { nextTick, ref } from "vue";
import { useI18n } from "vue-i18n";
import type { z } from "zod";
import { ApiError, errorMessage, fieldErrors } from "@/api/errors";

export interface ApiFormOptions<S extends z.ZodTypeAny> {
  schema: S;
  initialValues: z.input<S>;
  /** API error code -> form field it is about (`LocationNameTaken` -> `name`). */
  codeToField?: Record<string, string>;
  /** API field path (`settings.inbound_ids.0`) -> form field; null when the form has no such field. */
  pathToField?: (path: string) => string | null;
}

const INVALID_FIELD = ':is(input, select, textarea)[aria-invalid="true"], [aria-invalid="true"] :is(input, select)';

/** Move focus to the first field marked invalid, so the admin sees what to fix (also on long forms). */
function focusFirstInvalid(): void {
  void nextTick(() => document.querySelector<HTMLElement>(INVALID_FIELD)?.focus());
}

export function useApiForm<S extends z.ZodTypeAny>(options: ApiFormOptions<S>) {
  const { t, te } = useI18n();
  const form = useForm({
    validationSchema: toTypedSchema(options.schema),
    initialValues: options.initialValues as never,
    // Parts of a form that are switched away (the other panel type's settings) keep their values.
    keepValuesOnUnmount: true,
  });
  const formError = ref("");

  function showApiError(error: unknown): void {
    formError.value = "";
    if (error instanceof ApiError && error.hasFieldIssues) {
      const unplaced: string[] = [];
      for (const [path, message] of Object.entries(fieldErrors(error, t, te))) {
        const field = options.pathToField ? options.pathToField(path) : path;
        if (field) form.setFieldError(field as never, message);
        else unplaced.push(path ? `${path}: ${message}` : message);
      }
      if (unplaced.length) formError.value = unplaced.join("\n");
      return;
    }
    const field = error instanceof ApiError ? options.codeToField?.[error.code] : undefined;
    if (field) form.setFieldError(field as never, errorMessage(error, t, te));
    else formError.value = errorMessage(error, t, te);
  }

  /** Validate, then run `action` with the parsed values; API errors are spread over the form. */
  function onSubmit(action: (values: z.output<S>) => Promise<unknown>) {
    return form.handleSubmit(
      async (values) => {
        formError.value = "";
        try {
          await action(values as z.output<S>);
        } catch (error) {
          showApiError(error);
          focusFirstInvalid();
        }
      },
      () => focusFirstInvalid(),
    );
  }

  return { ...form, formError, showApiError, onSubmit };
}
