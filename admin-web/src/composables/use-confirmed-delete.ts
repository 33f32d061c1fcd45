// "Delete X?" with the feature's own wording (<prefix>.deleteTitle / deleteMessage / deleted), then a
// toast: the API's refusal (still in use, ...) is shown as it explains what to do instead.
import { useI18n } from "vue-i18n";
import { errorMessage } from "@/api/errors";
import { useConfirm } from "./use-confirm";
import { useToast } from "./use-toast";

export function useConfirmedDelete<T extends { id: string; name: string }>(prefix: string, remove: (id: string) => Promise<unknown>) {
  const { t, te } = useI18n();
  const toast = useToast();
  const { confirm } = useConfirm();
  return async (item: T): Promise<void> => {
    const ok = await confirm({
      title: t(`${prefix}.deleteTitle`),
      message: t(`${prefix}.deleteMessage`, { name: item.name }),
      confirmLabel: t("common.delete"),
    });
    if (!ok) return;
    try {
      await remove(item.id);
      toast.success(t(`${prefix}.deleted`, { name: item.name }));
    } catch (error) {
      toast.error(errorMessage(error, t, te));
    }
  };
}
