import { VueQueryPlugin } from "@tanstack/vue-query";
import { createPinia } from "pinia";
import { createApp } from "vue";
import { onSessionExpired } from "@/api/client";
import { createQueryClient } from "@/api/query";
import { TOKENS_KEY } from "@/api/tokens";
import { i18n } from "@/locales";
import { createAppRouter } from "@/router";
import { useAuthStore } from "@/stores/auth";
import { installZodErrorMap } from "@/validation";
import App from "./App.vue";
import "./styles.css";

installZodErrorMap();
const app = createApp(App);
const pinia = createPinia();
const router = createAppRouter();
const queryClient = createQueryClient();
app.use(pinia).use(i18n).use(router).use(VueQueryPlugin, { queryClient });

function toLogin(expired: boolean): void {
  useAuthStore().forget();
  queryClient.clear();
  const current = router.currentRoute.value;
  // Before the first page is shown the router guard itself sends the visitor to the login page.
  if (current.meta.public || current.matched.length === 0) return;
  void router.push({ name: "login", query: { redirect: current.fullPath, ...(expired ? { expired: "1" } : {}) } });
}

// A refresh the API refused: the session is over in every tab.
onSessionExpired(() => toLogin(true));
// Signed out in another tab: follow.
window.addEventListener("storage", (event) => {
  if (event.key === TOKENS_KEY && !event.newValue && useAuthStore().status === "signed-in") toLogin(false);
});

app.mount("#app");
