// Paging, sorting and filters of a list page, kept in the URL so a link reproduces the view.
//   ?page=2&size=50&sort=-price&q=usa&is_active=true   (defaults are left out of the URL)
import { computed } from "vue";
import { useRoute, useRouter, type LocationQuery, type LocationQueryRaw } from "vue-router";

/** What a filter holds; the feature's query composable turns the URL text into the typed parameter. */
export type FilterKind = "text" | "boolean" | "enum" | "id" | "date";

export const PAGE_SIZES = [10, 20, 50, 100];

export interface ListStateOptions<F extends string> {
  filters?: Record<F, FilterKind>;
  defaultSize?: number;
  /** The order the API applies without ?sort (shown as active in the table); "" when none is marked. */
  defaultSort?: string;
}

export interface UpdateOptions {
  /** Replace the history entry (typing in a search box) instead of adding one. */
  replace?: boolean;
}

function first(value: LocationQuery[string] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === "string" ? v : "";
}

function positiveInt(text: string, fallback: number): number {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function useListState<F extends string = never>(options: ListStateOptions<F> = {}) {
  const route = useRoute();
  const router = useRouter();
  const kinds = (options.filters ?? {}) as Record<F, FilterKind>;
  const keys = Object.keys(kinds) as F[];
  const defaultSize = options.defaultSize ?? 20;
  const defaultSort = options.defaultSort ?? "";

  const page = computed(() => positiveInt(first(route.query.page), 1));
  const size = computed(() => {
    const n = positiveInt(first(route.query.size), defaultSize);
    return PAGE_SIZES.includes(n) || n === defaultSize ? n : defaultSize;
  });
  const sort = computed(() => first(route.query.sort) || defaultSort);
  const filters = computed(() => Object.fromEntries(keys.map((k) => [k, first(route.query[k])])) as Record<F, string>);
  const activeFilters = computed(() => keys.filter((k) => filters.value[k] !== "").length);

  function update(patch: Record<string, string | number | null>, resetPage: boolean, opts: UpdateOptions = {}) {
    const query: LocationQueryRaw = { ...route.query };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null || value === "") delete query[key];
      else query[key] = String(value);
    }
    if (resetPage) delete query.page;
    return opts.replace ? router.replace({ query }) : router.push({ query });
  }

  const setPage = (n: number) => update({ page: n <= 1 ? null : n }, false);
  const setSize = (n: number) => update({ size: n === defaultSize ? null : n }, true);
  const setSort = (s: string) => update({ sort: s === defaultSort ? null : s }, true);
  const setFilter = (key: F, value: string, opts?: UpdateOptions) => update({ [key]: value }, true, opts);
  const resetFilters = () => update(Object.fromEntries(keys.map((k) => [k, null])), true);

  /** page, size and sort for the API's query string (sort left out when it is the API's default). */
  const paging = computed(() => ({
    page: page.value,
    size: size.value,
    ...(sort.value && sort.value !== defaultSort ? { sort: sort.value } : {}),
  }));

  return { page, size, sort, filters, activeFilters, paging, setPage, setSize, setSort, setFilter, resetFilters };
}

export type ListState<F extends string = string> = ReturnType<typeof useListState<F>>;

/** URL text -> optional string parameter. */
export function textParam(value: string | undefined): string | undefined {
  return value ? value : undefined;
}

/** URL text "true"/"false" -> optional boolean parameter (anything else: no filter). */
export function boolParam(value: string | undefined): boolean | undefined {
  return value === "true" ? true : value === "false" ? false : undefined;
}

/** URL text -> one of the allowed values, or no filter. */
export function enumParam<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return allowed.find((v) => v === value);
}
