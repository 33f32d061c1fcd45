/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import vue from "@vitejs/plugin-vue";
import { defineConfig, loadEnv, type ProxyOptions } from "vite";

export default defineConfig(({ mode }) => {
  const env = { ...loadEnv(mode, process.cwd(), ""), ...process.env };
  // The dev and preview servers forward /api to the backend, so the SPA talks to its own origin.
  const proxy: Record<string, ProxyOptions> = {
    "/api": { target: env.VITE_PROXY_TARGET || "http://127.0.0.1:8000", changeOrigin: false, xfwd: true },
  };
  return {
    plugins: [vue(), tailwindcss()],
    resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
    define: {
      // vue-i18n's bundler build reads these; legacy API off keeps the bundle smaller.
      __VUE_I18N_FULL_INSTALL__: true,
      __VUE_I18N_LEGACY_API__: false,
      __INTLIFY_PROD_DEVTOOLS__: false,
    },
    server: { host: "127.0.0.1", port: 5173, proxy },
    preview: { host: "127.0.0.1", port: 5173, proxy },
    build: { target: "es2022", sourcemap: false, reportCompressedSize: false },
    test: {
      environment: "jsdom",
      include: ["src/**/*.test.ts"],
      setupFiles: ["src/test/setup.ts"],
      restoreMocks: true,
      unstubGlobals: true,
      // An absolute base so requests can be built outside a browser page; the fetch mock answers them.
      env: { VITE_API_BASE_URL: "http://api.test" },
    },
  };
});
