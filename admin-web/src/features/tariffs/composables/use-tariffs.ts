import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/vue-query";
import { computed, toValue, type MaybeRefOrGetter } from "vue";
import { api, unwrap } from "@/api/client";
import type { paths } from "@/api/generated/schema";
import type { Tariff, TariffCreate, TariffUpdate } from "@/api/types";

export type TariffListQuery = NonNullable<paths["/api/v1/admin/tariffs"]["get"]["parameters"]["query"]>;

export const tariffKeys = {
  all: ["tariffs"] as const,
  list: (query: TariffListQuery) => ["tariffs", "list", query] as const,
};

export function useTariffList(query: MaybeRefOrGetter<TariffListQuery>) {
  return useQuery({
    queryKey: computed(() => tariffKeys.list(toValue(query))),
    queryFn: () => unwrap(api.GET("/api/v1/admin/tariffs", { params: { query: toValue(query) } })),
    placeholderData: keepPreviousData,
  });
}

export function useSaveTariff() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id?: string; body: TariffCreate }) =>
      id
        ? unwrap(api.PATCH("/api/v1/admin/tariffs/{tariff_id}", { params: { path: { tariff_id: id } }, body: body as TariffUpdate }))
        : unwrap(api.POST("/api/v1/admin/tariffs", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: tariffKeys.all }),
  });
}

export function useDeleteTariff() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/admin/tariffs/{tariff_id}", { params: { path: { tariff_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: tariffKeys.all }),
  });
}

/** New sort_order values for tariffs in the order given: 10, 20, 30, ... (gaps leave room for inserts). */
export function renumber(ordered: Pick<Tariff, "id" | "sort_order">[]): { id: string; sort_order: number }[] {
  return ordered
    .map((tariff, index) => ({ id: tariff.id, sort_order: (index + 1) * 10, before: tariff.sort_order }))
    .filter((change) => change.sort_order !== change.before)
    .map(({ id, sort_order }) => ({ id, sort_order }));
}

/** Save a new order: only the tariffs whose sort_order changes are sent. */
export function useReorderTariffs() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (ordered: Tariff[]) => {
      for (const change of renumber(ordered)) {
        await unwrap(
          api.PATCH("/api/v1/admin/tariffs/{tariff_id}", {
            params: { path: { tariff_id: change.id } },
            body: { sort_order: change.sort_order },
          }),
        );
      }
    },
    onSettled: () => client.invalidateQueries({ queryKey: tariffKeys.all }),
  });
}
