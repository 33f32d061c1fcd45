import { expect, test } from "@playwright/test";
import { login, ownerToken, shot, unique } from "./helpers";

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
