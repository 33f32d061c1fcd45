import { expect, test, type Page } from "@playwright/test";
import { login, OWNER, shot, unique } from "./helpers";

function row(page: Page, text: string) {
  return page.getByRole("row").filter({ hasText: text });
}

async function confirmDelete(page: Page, name: string, expected: RegExp) {
  await page.getByRole("button", { name: `Удалить «${name}»` }).click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog.getByTestId("confirm-message")).toContainText(expected);
  await dialog.getByTestId("confirm-accept").click();
  await expect(row(page, name)).toHaveCount(0);
}

test("an owner creates, edits and deletes a location, servers and a tariff", async ({ page }) => {
  const location = unique("Finland");
  const renamed = `${location} North`;
  const xuiServer = unique("fi-xui");
  const marzbanServer = unique("fi-mz");
  const tariff = unique("Неделя");

  await login(page, OWNER.username, OWNER.password);

  // Locations: field-level validation, create (flag from the country code), rename.
  await page.getByRole("link", { name: "Локации" }).click();
  await expect(row(page, "Netherlands")).toBeVisible();
  await shot(page, "02-locations");
  await page.getByTestId("add-location").click();
  let dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Сохранить" }).click();
  await expect(dialog.getByTestId("field-error").first()).toBeVisible();
  await dialog.getByLabel("Название").fill(location);
  await dialog.getByLabel("Код страны").fill("fi");
  await dialog.getByLabel("Код страны").blur();
  await expect(dialog.getByLabel("Флаг")).toHaveValue("🇫🇮");
  await dialog.getByRole("button", { name: "Сохранить" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: location })).toBeVisible();
  await expect(row(page, location)).toContainText("FI");

  await page.getByRole("button", { name: `Изменить «${location}»` }).click();
  dialog = page.getByRole("dialog");
  await dialog.getByLabel("Название").fill(renamed);
  await dialog.getByRole("button", { name: "Сохранить" }).click();
  await expect(row(page, renamed)).toBeVisible();

  // A duplicate name is refused next to the field, with the API's reason.
  await page.getByTestId("add-location").click();
  dialog = page.getByRole("dialog");
  await dialog.getByLabel("Название").fill(renamed);
  await dialog.getByLabel("Код страны").fill("FI");
  await dialog.getByRole("button", { name: "Сохранить" }).click();
  await expect(dialog.getByTestId("field-error")).toHaveText("Локация с таким названием уже есть.");
  await dialog.getByRole("button", { name: "Отмена" }).click();

  // Servers: a 3x-ui server, then a Marzban one (the settings editor follows the panel type).
  await page.getByRole("link", { name: "Серверы" }).click();
  await page.getByTestId("add-server").click();
  await expect(page.getByTestId("xui-settings")).toBeVisible();
  await page.getByRole("button", { name: "Добавить сервер" }).click();
  await expect(page.getByTestId("field-error").first()).toBeVisible();
  await page.getByLabel("Имя").fill(xuiServer);
  await page.getByLabel("Локация").selectOption({ label: `🇫🇮 ${renamed}` });
  await page.getByLabel("Адрес панели").fill("https://fi1.example.com:2053/secret/");
  await page.getByLabel("Логин панели").fill("admin");
  await page.getByLabel("Пароль панели").fill("panel-password");
  await page.getByLabel("ID inbound'ов").fill("3");
  await page.getByLabel("ID inbound'ов").press("Enter");
  await shot(page, "04-server-form-3x-ui");
  await page.getByRole("button", { name: "Добавить сервер" }).click();
  await expect(page).toHaveURL(/\/servers$/);
  await expect(row(page, xuiServer)).toContainText("3x-ui");

  await page.getByTestId("add-server").click();
  await page.getByText("Marzban", { exact: true }).click();
  await expect(page.getByTestId("marzban-settings")).toBeVisible();
  await expect(page.getByRole("checkbox", { name: "VLESS" })).toBeChecked();
  await page.getByRole("checkbox", { name: "Shadowsocks" }).check();
  await page.getByLabel("Имя").fill(marzbanServer);
  await page.getByLabel("Локация").selectOption({ label: `🇫🇮 ${renamed}` });
  await page.getByLabel("Адрес панели").fill("https://fi2.example.com:8000/");
  await page.getByLabel("Логин панели").fill("admin");
  await page.getByLabel("Пароль панели").fill("panel-password");
  await shot(page, "05-server-form-marzban");
  await page.getByRole("button", { name: "Добавить сервер" }).click();
  await expect(row(page, marzbanServer)).toContainText("Marzban");
  await shot(page, "03-servers");

  // Edit: credentials stay unless typed; the panel type is fixed.
  await page.getByRole("link", { name: xuiServer, exact: true }).click();
  await expect(page.getByLabel("Пароль панели")).toHaveValue("");
  await expect(page.getByText("Пароль сохранён. Пусто — оставить как есть.")).toBeVisible();
  await expect(page.getByRole("radio", { name: "Marzban" })).toBeDisabled();
  await page.getByLabel("Максимум пользователей").fill("800");
  await page.getByRole("button", { name: "Сохранить" }).click();
  await expect(row(page, xuiServer)).toContainText("0 / 800");

  // Tariffs: money to the kopeck, "forever" as an empty duration, delete.
  await page.getByRole("link", { name: "Тарифы" }).click();
  await expect(row(page, "1 месяц")).toContainText("49,00 ₽");
  await page.getByTestId("add-tariff").click();
  dialog = page.getByRole("dialog");
  await dialog.getByLabel("Название").fill(tariff);
  await dialog.getByLabel("Срок, дней").fill("7");
  await dialog.getByRole("textbox", { name: "Цена", exact: true }).fill("19,9");
  await dialog.getByLabel("Устройств").fill("2");
  await shot(page, "07-tariff-form");
  await dialog.getByRole("button", { name: "Сохранить" }).click();
  await expect(row(page, tariff)).toContainText("19,90 ₽");
  await expect(row(page, tariff)).toContainText("7 дней");
  await shot(page, "06-tariffs");

  await page.getByRole("button", { name: `Изменить «${tariff}»` }).click();
  dialog = page.getByRole("dialog");
  await dialog.getByLabel("Навсегда").check();
  await expect(dialog.getByLabel("Срок, дней")).toBeDisabled();
  await dialog.getByRole("button", { name: "Сохранить" }).click();
  await expect(row(page, tariff)).toContainText("Навсегда");
  await confirmDelete(page, tariff, /будет удалён безвозвратно/);

  // The location is in use by the servers: deleting it is refused with the reason.
  await page.getByRole("link", { name: "Локации" }).click();
  await page.getByRole("button", { name: `Удалить «${renamed}»` }).click();
  await page.getByRole("alertdialog").getByTestId("confirm-accept").click();
  await expect(page.getByTestId("toast").filter({ hasText: "Выключите её вместо удаления" })).toBeVisible();

  await page.getByRole("link", { name: "Серверы" }).click();
  await confirmDelete(page, xuiServer, /данные доступа к его панели будут удалены/);
  await confirmDelete(page, marzbanServer, /данные доступа к его панели будут удалены/);
  await page.getByRole("link", { name: "Локации" }).click();
  await confirmDelete(page, renamed, /будет удалена безвозвратно/);

  // Every write above is in the audit log.
  await page.getByRole("link", { name: "Журнал действий" }).click();
  await expect(page.getByRole("row").filter({ hasText: "Сервер удалён" }).first()).toBeVisible();
  await page.getByRole("row").filter({ hasText: "Тариф изменён" }).first().getByRole("button", { name: "Подробнее" }).click();
  await expect(page.getByRole("dialog").getByText("duration_days")).toBeVisible();
  await shot(page, "08-audit-entry");
  await page.getByRole("dialog").getByRole("button", { name: "Закрыть" }).click();
  await page.getByLabel("Объект").selectOption({ label: "Локация" });
  await expect(page).toHaveURL(/entity_type=location/);
  await expect(page.getByRole("row").filter({ hasText: "Тариф" })).toHaveCount(0);
  await shot(page, "10-audit-log");
});

test("the list view lives in the URL and phones get cards", async ({ page }) => {
  await login(page, OWNER.username, OWNER.password);
  await page.goto("/tariffs?sort=-price&size=10");
  const prices = page.getByRole("row").locator("td:nth-child(3)");
  await expect(prices.first()).toContainText("599,00 ₽");
  await expect(page.getByRole("columnheader", { name: /Цена/ })).toHaveAttribute("aria-sort", "descending");

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/tariffs?q=%D0%BC%D0%B5%D1%81");
  await expect(page.getByTestId("table-card").first()).toBeVisible();
  await expect(page.getByTestId("table-card")).toHaveCount(3);
  await shot(page, "11-phone-tariffs");
  await page.getByRole("button", { name: "Открыть меню" }).click();
  await expect(page.getByTestId("sidebar")).toBeVisible();
  await shot(page, "12-phone-menu", false);
});

test("the theme and the language switch at once and stay after a reload", async ({ page }) => {
  await login(page, OWNER.username, OWNER.password);
  await page.getByTestId("theme-switch").click();
  await page.getByTestId("theme-switch").click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.getByTestId("language-switch").selectOption("en");
  await expect(page.getByRole("heading", { name: "Servers" })).toBeVisible();
  await page.goto("/tariffs");
  await expect(page.getByRole("heading", { name: "Tariffs" })).toBeVisible();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await shot(page, "15-dark-english-tariffs");
  await page.getByTestId("language-switch").selectOption("ru");
  await page.getByTestId("theme-switch").click();
  await expect(page.locator("html")).not.toHaveClass(/dark/);
});
