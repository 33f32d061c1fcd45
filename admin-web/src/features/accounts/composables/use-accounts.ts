import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/vue-query";
import { computed, toValue, type MaybeRefOrGetter } from "vue";
import { api, unwrap } from "@/api/client";
import type { AdminCreate, AdminUpdate } from "@/api/types";

export interface AccountListQuery {
  page?: number;
  size?: number;
}

export const accountKeys = {
  all: ["accounts"] as const,
  list: (query: AccountListQuery) => ["accounts", "list", query] as const,
};

export function useAccountList(query: MaybeRefOrGetter<AccountListQuery>, enabled: MaybeRefOrGetter<boolean> = true) {
  return useQuery({
    queryKey: computed(() => accountKeys.list(toValue(query))),
    queryFn: () => unwrap(api.GET("/api/v1/admin/accounts", { params: { query: toValue(query) } })),
    placeholderData: keepPreviousData,
    enabled: () => toValue(enabled),
  });
}

export function useCreateAccount() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AdminCreate) => unwrap(api.POST("/api/v1/admin/accounts", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: accountKeys.all }),
  });
}

export function useUpdateAccount() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: AdminUpdate }) =>
      unwrap(api.PATCH("/api/v1/admin/accounts/{account_id}", { params: { path: { account_id: id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: accountKeys.all }),
  });
}
