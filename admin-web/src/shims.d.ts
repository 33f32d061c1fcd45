// Let templates carry data-* attributes (test hooks) with strict template checking on.
export {};

declare module "@vue/runtime-dom" {
  interface HTMLAttributes {
    [key: `data-${string}`]: string | number | boolean | undefined;
  }
}

declare module "@vue/runtime-core" {
  interface AllowedComponentProps {
    [key: `data-${string}`]: string | number | boolean | undefined;
    /** data-testid as the template compiler passes it to components. */
    dataTestid?: string;
  }
}
