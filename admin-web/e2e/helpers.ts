import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const OWNER = {
  username: process.env.E2E_OWNER_USERNAME ?? "owner",
  password: process.env.E2E_OWNER_PASSWORD ?? "",
};
const SHOTS = join(import.meta.dirname, "..", "test-results", "screenshots");

/** A name no earlier run used, so the specs can run again against the same database. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/** Save a full-page screenshot as an artifact (test-results/screenshots/<name>.png). */
export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // Fixed sidebar and sticky top bar are drawn where the viewport is: capture from the top.
  await page.evaluate(async () => {
    window.scrollTo(0, 0);
    await document.fonts.ready;
  });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage, animations: "disabled" });
}

export async function login(page: Page, username: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Логин").fill(username);
  await page.getByLabel("Пароль").fill(password);
  await page.getByRole("button", { name: "Войти" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** An owner's access token, for setting up data through the API like any other client would. */
export async function ownerToken(request: APIRequestContext): Promise<string> {
  const response = await request.post("/api/v1/auth/login", { data: OWNER });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}
