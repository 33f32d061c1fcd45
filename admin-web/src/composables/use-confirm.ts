// Ask before destructive actions: `if (await confirm({...})) remove()`. <ConfirmDialog> renders the question.
import { shallowRef } from "vue";

export interface ConfirmOptions {
  title: string;
  /** Says exactly what will be lost. */
  message: string;
  confirmLabel: string;
  danger?: boolean;
}

interface Pending extends ConfirmOptions {
  resolve: (ok: boolean) => void;
}

const pending = shallowRef<Pending | null>(null);

export function useConfirm() {
  function confirm(options: ConfirmOptions): Promise<boolean> {
    pending.value?.resolve(false);
    return new Promise((resolve) => {
      pending.value = { danger: true, ...options, resolve };
    });
  }
  function settle(ok: boolean): void {
    const current = pending.value;
    pending.value = null;
    current?.resolve(ok);
  }
  return { pending, confirm, settle };
}
