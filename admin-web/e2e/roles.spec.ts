import { expect, test } from "@playwright/test";
import { login, OWNER, ownerToken, shot, unique } from "./helpers";

const PASSWORD = "support-password-123";

async function createAccount(request: import("@playwright/test").APIRequestContext, role: "support" | "admin") {
  const token = await ownerToken(request);
  const username = unique(role);
  const response = await request.post("/api/v1/admin/accounts", {
    headers: { Authorization: `Bearer ${token}` },
    data: { username, password: PASSWORD, role },
  });
  expect(response.status()).toBe(201);
  return username;
}

test("support sees only its sections and admin pages say forbidden", async ({ page, request }) => {
  const username = await createAccount(request, "support");
  await login(page, username, PASSWORD);
  // Support has none of the phase-1 sections: it lands on its own profile.
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-username")).toHaveText(username);
  const sidebar = page.getByTestId("sidebar");
  for (const hidden of ["Серверы", "Локации", "Тарифы", "Сотрудники", "Журнал действий"]) {
    await expect(sidebar.getByRole("link", { name: hidden })).toHaveCount(0);
  }
  await shot(page, "13-support-profile");

  for (const path of ["/servers", "/servers/new", "/locations", "/tariffs", "/settings/accounts", "/settings/audit-log"]) {
    await page.goto(path);
    await expect(page.getByTestId("forbidden")).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`${path}$`));
  }
  await shot(page, "14-support-forbidden");
});

test("an admin sees the catalog but not the owner's staff page", async ({ page, request }) => {
  const username = await createAccount(request, "admin");
  await login(page, username, PASSWORD);
  await expect(page).toHaveURL(/\/servers$/);
  const sidebar = page.getByTestId("sidebar");
  await expect(sidebar.getByRole("link", { name: "Тарифы" })).toBeVisible();
  await expect(sidebar.getByRole("link", { name: "Журнал действий" })).toBeVisible();
  await expect(sidebar.getByRole("link", { name: "Сотрудники" })).toHaveCount(0);
  await page.goto("/settings/accounts");
  await expect(page.getByTestId("forbidden")).toBeVisible();
});

test("the owner adds a staff member, who is then disabled and can no longer sign in", async ({ page, browser }) => {
  const username = unique("helper");
  await login(page, OWNER.username, OWNER.password);
  await page.getByRole("link", { name: "Сотрудники" }).click();
  await page.getByTestId("add-account").click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Логин").fill(username);
  await dialog.getByLabel("Пароль").fill("short");
  await dialog.getByRole("button", { name: "Добавить" }).click();
  await expect(dialog.getByTestId("field-error")).toHaveText("Не короче 10 символов");
  await dialog.getByLabel("Пароль").fill(PASSWORD);
  await dialog.getByLabel("Роль", { exact: true }).selectOption({ label: "Поддержка" });
  await dialog.getByRole("button", { name: "Добавить" }).click();
  const row = page.getByRole("row").filter({ hasText: username });
  await expect(row).toContainText("Поддержка");
  await shot(page, "16-accounts");

  await page.getByRole("button", { name: `Отключить «${username}»` }).click();
  await expect(page.getByRole("alertdialog")).toContainText("сразу потеряет доступ к панели");
  await page.getByTestId("confirm-accept").click();
  await expect(row).toContainText("Отключён");

  const other = await browser.newPage();
  await other.goto("/login");
  await other.getByLabel("Логин").fill(username);
  await other.getByLabel("Пароль").fill(PASSWORD);
  await other.getByRole("button", { name: "Войти" }).click();
  await expect(other.getByTestId("login-error")).toHaveText("Неверный логин или пароль.");
  await other.close();
});
