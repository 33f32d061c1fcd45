import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/vue-query";
import { computed, toValue, type MaybeRefOrGetter } from "vue";
import { api, unwrap } from "@/api/client";
import type { paths } from "@/api/generated/schema";
import type { ServerCreate, ServerUpdate } from "@/api/types";

export type ServerListQuery = NonNullable<paths["/api/v1/admin/servers"]["get"]["parameters"]["query"]>;

export const serverKeys = {
  all: ["servers"] as const,
  list: (query: ServerListQuery) => ["servers", "list", query] as const,
  one: (id: string) => ["servers", "one", id] as const,
};

export function useServerList(query: MaybeRefOrGetter<ServerListQuery>) {
  return useQuery({
    queryKey: computed(() => serverKeys.list(toValue(query))),
    queryFn: () => unwrap(api.GET("/api/v1/admin/servers", { params: { query: toValue(query) } })),
    placeholderData: keepPreviousData,
  });
}

export function useServer(id: MaybeRefOrGetter<string | undefined>) {
  return useQuery({
    queryKey: computed(() => serverKeys.one(toValue(id) ?? "")),
    queryFn: () => unwrap(api.GET("/api/v1/admin/servers/{server_id}", { params: { path: { server_id: toValue(id) ?? "" } } })),
    enabled: computed(() => Boolean(toValue(id))),
  });
}

export function useCreateServer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ServerCreate) => unwrap(api.POST("/api/v1/admin/servers", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: serverKeys.all }),
  });
}

export function useUpdateServer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ServerUpdate }) =>
      unwrap(api.PATCH("/api/v1/admin/servers/{server_id}", { params: { path: { server_id: id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: serverKeys.all }),
  });
}

export function useDeleteServer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/admin/servers/{server_id}", { params: { path: { server_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: serverKeys.all }),
  });
}
