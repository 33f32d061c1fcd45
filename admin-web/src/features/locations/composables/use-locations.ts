import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/vue-query";
import { computed, toValue, type MaybeRefOrGetter } from "vue";
import { api, unwrap } from "@/api/client";
import type { paths } from "@/api/generated/schema";
import type { Location, LocationCreate, LocationUpdate } from "@/api/types";

export type LocationListQuery = NonNullable<paths["/api/v1/admin/locations"]["get"]["parameters"]["query"]>;

export const locationKeys = {
  all: ["locations"] as const,
  list: (query: LocationListQuery) => ["locations", "list", query] as const,
  options: ["locations", "options"] as const,
};

export function useLocationList(query: MaybeRefOrGetter<LocationListQuery>) {
  return useQuery({
    queryKey: computed(() => locationKeys.list(toValue(query))),
    queryFn: () => unwrap(api.GET("/api/v1/admin/locations", { params: { query: toValue(query) } })),
    placeholderData: keepPreviousData,
  });
}

/** Every location (for pickers and for naming a server's or tariff's location), cached a little longer. */
export function useLocationOptions() {
  const query = useQuery({
    queryKey: locationKeys.options,
    queryFn: () => unwrap(api.GET("/api/v1/admin/locations", { params: { query: { size: 200, sort: "name" } } })),
    staleTime: 60_000,
  });
  const items = computed<Location[]>(() => query.data.value?.items ?? []);
  const byId = computed(() => new Map(items.value.map((l) => [l.id, l])));
  /** For selects: "🇳🇱 Netherlands". */
  const options = computed(() => items.value.map((l) => ({ value: l.id, label: `${l.flag_emoji} ${l.name}`.trim() })));
  return { ...query, items, byId, options };
}

export function useSaveLocation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id?: string; body: LocationCreate | LocationUpdate }) =>
      id
        ? unwrap(api.PATCH("/api/v1/admin/locations/{location_id}", { params: { path: { location_id: id } }, body }))
        : unwrap(api.POST("/api/v1/admin/locations", { body: body as LocationCreate })),
    onSuccess: () => client.invalidateQueries({ queryKey: locationKeys.all }),
  });
}

export function useDeleteLocation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/admin/locations/{location_id}", { params: { path: { location_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: locationKeys.all }),
  });
}
