// A vee-validate form with a zod schema that also knows the API's errors: 422 issues land on their
// fields, known conflict codes on the field they concern, anything else in a banner above the buttons.
//
// Server errors are kept apart from vee-validate's own: its next validation (any field's blur) would
// otherwise wipe them. One stays on its field until that field's value changes or the form resets.
import { toTypedSchema } from "@vee-validate/zod";
import { useForm } from "vee-validate";
import { computed, inject, nextTick, provide, ref, type ComputedRef, type InjectionKey } from "vue";
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

/** The form's errors (its own and the API's) for components that render part of a form. */
export const FORM_ERRORS: InjectionKey<ComputedRef<Record<string, string>>> = Symbol("form-errors");

/** The error of `field` from the enclosing useApiForm, if any. */
export function useFormError(field: string): ComputedRef<string | undefined> {
  const errors = inject(FORM_ERRORS, null);
  return computed(() => errors?.value[field]);
}

const INVALID_FIELD = ':is(input, select, textarea)[aria-invalid="true"], [aria-invalid="true"] :is(input, select)';

/** Move focus to the first field marked invalid, so the admin sees what to fix (also on long forms). */
function focusFirstInvalid(): void {
  void nextTick(() => document.querySelector<HTMLElement>(INVALID_FIELD)?.focus());
}

function valueAt(values: unknown, path: string): string {
  const value = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], values);
  return JSON.stringify(value ?? null);
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
  // field -> the API's message and the field's value when it was given
  const serverErrors = ref<Record<string, { message: string; value: string }>>({});

  const errors = computed<Record<string, string>>(() => {
    const merged: Record<string, string> = {};
    for (const [field, error] of Object.entries(serverErrors.value)) {
      if (valueAt(form.values, field) === error.value) merged[field] = error.message;
    }
    return { ...merged, ...(form.errors.value as Record<string, string>) };
  });
  provide(FORM_ERRORS, errors);

  function setServerError(field: string, message: string): void {
    serverErrors.value = { ...serverErrors.value, [field]: { message, value: valueAt(form.values, field) } };
  }

  function showApiError(error: unknown): void {
    formError.value = "";
    serverErrors.value = {};
    if (error instanceof ApiError && error.hasFieldIssues) {
      const unplaced: string[] = [];
      for (const [path, message] of Object.entries(fieldErrors(error, t, te))) {
        const field = options.pathToField ? options.pathToField(path) : path;
        if (field) setServerError(field, message);
        else unplaced.push(path ? `${path}: ${message}` : message);
      }
      if (unplaced.length) formError.value = unplaced.join("\n");
      return;
    }
    const field = error instanceof ApiError ? options.codeToField?.[error.code] : undefined;
    if (field) setServerError(field, errorMessage(error, t, te));
    else formError.value = errorMessage(error, t, te);
  }

  /** Validate, then run `action` with the parsed values; API errors are spread over the form. */
  function onSubmit(action: (values: z.output<S>) => Promise<unknown>) {
    return form.handleSubmit(
      async (values) => {
        formError.value = "";
        serverErrors.value = {};
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

  const resetForm: typeof form.resetForm = (...args) => {
    formError.value = "";
    serverErrors.value = {};
    form.resetForm(...args);
  };

  return { ...form, errors, resetForm, formError, showApiError, onSubmit };
}
