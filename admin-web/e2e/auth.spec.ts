import { expect, test } from "@playwright/test";
import { OWNER, shot } from "./helpers";

test.describe("sign in", () => {
  test("a wrong password shows an error and keeps the login page", async ({ page }) => {
    await page.goto("/servers");
    await expect(page).toHaveURL(/\/login\?redirect=\/servers$/);
    await page.getByLabel("Логин").fill(OWNER.username);
    await page.getByLabel("Пароль").fill("definitely-not-the-password");
    await page.getByRole("button", { name: "Войти" }).click();
    await expect(page.getByTestId("login-error")).toHaveText("Неверный логин или пароль.");
    await expect(page).toHaveURL(/\/login/);
    await shot(page, "01-login-error");
  });

  test("empty fields are refused next to the field", async ({ page }) => {
    await page.goto("/login");
    await page.getByRole("button", { name: "Войти" }).click();
    await expect(page.getByTestId("field-error")).toHaveCount(2);
  });

  test("the right password lands on the first section and survives a reload", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Логин").fill(OWNER.username);
    await page.getByLabel("Пароль").fill(OWNER.password);
    await page.getByRole("button", { name: "Войти" }).click();
    await expect(page).toHaveURL(/\/servers$/);
    await expect(page.getByRole("heading", { name: "Серверы" })).toBeVisible();
    await expect(page.getByTestId("shop-name")).toHaveText("VPN Shop");
    await page.reload();
    await expect(page.getByRole("heading", { name: "Серверы" })).toBeVisible();

    await page.getByTestId("account-menu").click();
    await page.getByTestId("logout").click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/servers");
    await expect(page).toHaveURL(/\/login/);
  });

  test("an unknown address shows the not-found page", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Логин").fill(OWNER.username);
    await page.getByLabel("Пароль").fill(OWNER.password);
    await page.getByRole("button", { name: "Войти" }).click();
    await expect(page).toHaveURL(/\/servers$/);
    await page.goto("/no-such-page");
    await expect(page.getByTestId("not-found")).toBeVisible();
    await shot(page, "09-not-found");
  });
});
