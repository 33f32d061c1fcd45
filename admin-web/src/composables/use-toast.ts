// Short notices after an action ("Saved"), shown by <ToastHost> in the corner.
import { reactive } from "vue";

export type ToastKind = "success" | "error" | "info";

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

const toasts = reactive<Toast[]>([]);
let nextId = 1;

export function dismissToast(id: number): void {
  const index = toasts.findIndex((t) => t.id === id);
  if (index >= 0) toasts.splice(index, 1);
}

function push(kind: ToastKind, message: string, timeoutMs: number): number {
  const id = nextId++;
  toasts.push({ id, kind, message });
  if (toasts.length > 4) toasts.shift();
  if (timeoutMs > 0) setTimeout(() => dismissToast(id), timeoutMs);
  return id;
}

export function useToast() {
  return {
    toasts,
    success: (message: string) => push("success", message, 3500),
    error: (message: string) => push("error", message, 7000),
    info: (message: string) => push("info", message, 4000),
    dismiss: dismissToast,
  };
}
