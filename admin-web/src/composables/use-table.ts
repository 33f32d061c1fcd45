// The props and listeners that connect a DataTable to a list page's URL state and its query:
//   <DataTable v-bind="table" :columns ... />   with   const table = useTable(list, query)
import { computed, type Ref } from "vue";
import type { Page } from "@/api/types";
import type { ListState } from "./use-list-state";

interface PageQuery<R> {
  data: Ref<Page<R> | undefined>;
  isPending: Ref<boolean>;
  isFetching: Ref<boolean>;
  error: Ref<unknown>;
  refetch: () => unknown;
}

export function useTable<R, F extends string>(list: ListState<F>, query: PageQuery<R>) {
  return computed(() => ({
    rows: query.data.value?.items,
    total: query.data.value?.total ?? 0,
    page: list.page.value,
    size: list.size.value,
    sort: list.sort.value,
    loading: query.isPending.value,
    fetching: query.isFetching.value,
    error: query.error.value,
    filtered: list.activeFilters.value > 0,
    "onUpdate:page": list.setPage,
    "onUpdate:size": list.setSize,
    "onUpdate:sort": list.setSort,
    onRetry: () => void query.refetch(),
    onResetFilters: list.resetFilters,
  }));
}
