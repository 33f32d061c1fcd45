/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the backend; empty means the same origin (the preview/dev server proxies /api). */
  readonly VITE_API_BASE_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
