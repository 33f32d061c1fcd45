import { keepPreviousData, useQuery } from "@tanstack/vue-query";
import { computed, toValue, type MaybeRefOrGetter } from "vue";
import { api, unwrap } from "@/api/client";
import type { paths } from "@/api/generated/schema";

export type AuditQuery = NonNullable<paths["/api/v1/admin/audit-log"]["get"]["parameters"]["query"]>;

export function useAuditLog(query: MaybeRefOrGetter<AuditQuery>) {
  return useQuery({
    queryKey: computed(() => ["audit-log", toValue(query)] as const),
    queryFn: () => unwrap(api.GET("/api/v1/admin/audit-log", { params: { query: toValue(query) } })),
    placeholderData: keepPreviousData,
    staleTime: 5_000,
  });
}
