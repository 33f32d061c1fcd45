"""Plans, end to end: locations → plans (price, discount) → one plan, edited in place; plans and
locations taken off sale while a customer looks at them; the language switch."""

from __future__ import annotations

from typing import Any

import httpx

from bot.api.client import BackendClient, TelegramIdentity
from tests.chat import Chat, Emulator
from tests.conftest import new_user_id


async def create_location(
    admin: httpx.AsyncClient, name: str, code: str = "NL", flag: str = "🇳🇱"
) -> dict[str, Any]:
    """A location on sale."""
    resp = await admin.post("/admin/locations", json={"name": name, "country_code": code, "flag_emoji": flag})
    resp.raise_for_status()
    body: dict[str, Any] = resp.json()
    return body


async def create_tariff(
    admin: httpx.AsyncClient, location_id: str, name: str, days: int | None, price: str, **extra: Any
) -> dict[str, Any]:
    """A plan of one location."""
    body = {"name": name, "duration_days": days, "price": price, "location_id": location_id, **extra}
    resp = await admin.post("/admin/tariffs", json=body)
    resp.raise_for_status()
    created: dict[str, Any] = resp.json()
    return created


async def catalog_of(admin: httpx.AsyncClient) -> tuple[str, dict[str, Any], dict[str, dict[str, Any]]]:
    """A fresh location with a monthly, a 3-month and a forever plan."""
    name = f"Нидерланды {new_user_id()}"
    loc = await create_location(admin, name)
    plans = {
        "month": await create_tariff(admin, loc["id"], "1 месяц", 30, "100", device_limit=3),
        "quarter": await create_tariff(admin, loc["id"], "3 месяца", 90, "270", traffic_limit_gb=500),
        "forever": await create_tariff(
            admin, loc["id"], "Навсегда", None, "999.50", description="Для <своих>"
        ),
    }
    return name, loc, plans


async def started(emulator: Emulator, **profile: Any) -> Chat:
    chat = await emulator.chat(new_user_id(), **profile)
    await chat.send("/start")
    return chat


class TestCatalog:
    async def test_locations_plans_and_one_plan_in_one_screen(
        self, emulator: Emulator, admin: httpx.AsyncClient
    ) -> None:
        name, _, _ = await catalog_of(admin)
        chat = await started(emulator)

        await chat.press("🎯 Тарифы")
        screen = chat.last
        assert screen.text.startswith("🌍 Выберите локацию")
        assert f"🇳🇱 {name}" in screen.labels
        assert screen.labels[-1] == "🏠 Меню"

        await chat.press(f"🇳🇱 {name}")
        assert chat.last.message_id == screen.message_id
        assert chat.last.text.splitlines()[0] == f"🇳🇱 {name}"
        assert "• 1 месяц — 100 ₽" in chat.last.text
        assert "• 3 месяца — 270 ₽ (выгода 10%)" in chat.last.text
        assert "• Навсегда — 999,50 ₽" in chat.last.text
        assert chat.last.labels[:3] == ["1 месяц · 100 ₽", "3 месяца · 270 ₽ · −10%", "Навсегда · 999,50 ₽"]
        assert chat.last.labels[3:] == ["⬅️ Назад", "🏠 Меню"]

        await chat.press("3 месяца · 270 ₽ · −10%")
        card = chat.last.text
        assert card.splitlines()[0] == f"🇳🇱 {name} · 3 месяца"
        assert "⏳ Срок: 3 месяца" in card
        assert "💰 Цена: 270 ₽ (≈ 90 ₽ в месяц)" in card
        assert "🎁 Выгода 10% по сравнению с помесячной оплатой" in card
        assert "📱 Устройств: без ограничений" in card
        assert "📶 Трафик: 500 ГБ" in card

        await chat.press("⬅️ Назад")
        assert "• 1 месяц — 100 ₽" in chat.last.text
        await chat.press("Навсегда · 999,50 ₽")
        assert "⏳ Срок: навсегда" in chat.last.text
        assert "Для <своих>" in chat.last.text
        await chat.press("⬅️ Назад")
        await chat.press("⬅️ Назад")
        assert chat.last.text.startswith("🌍 Выберите локацию")
        await chat.press("🏠 Меню")
        assert chat.last.text.startswith("🏠 Главная")
        assert chat.last.message_id == screen.message_id
        assert all(a["text"] is None for a in chat.answers)

    async def test_plan_taken_off_sale_while_looking(
        self, emulator: Emulator, admin: httpx.AsyncClient
    ) -> None:
        name, _, plans = await catalog_of(admin)
        chat = await started(emulator)
        await chat.press("🎯 Выбрать тариф")
        await chat.press(f"🇳🇱 {name}")
        resp = await admin.patch(f"/admin/tariffs/{plans['quarter']['id']}", json={"is_active": False})
        resp.raise_for_status()

        await chat.press("3 месяца · 270 ₽ · −10%")
        assert chat.answers[-1]["text"] == "⌛️ Этот тариф больше не продаётся — вот актуальные."
        assert "3 месяца" not in chat.last.text
        assert chat.last.labels[:2] == ["1 месяц · 100 ₽", "Навсегда · 999,50 ₽"]

    async def test_location_taken_off_sale_while_looking(
        self, emulator: Emulator, admin: httpx.AsyncClient
    ) -> None:
        name, loc, _ = await catalog_of(admin)
        chat = await started(emulator)
        await chat.press("🎯 Тарифы")
        resp = await admin.patch(f"/admin/locations/{loc['id']}", json={"is_active": False})
        resp.raise_for_status()

        await chat.press(f"🇳🇱 {name}")
        assert chat.answers[-1]["text"] == "⌛️ Этой локации больше нет в продаже — вот актуальный список."
        assert chat.last.text.startswith("🌍 Выберите локацию")
        assert f"🇳🇱 {name}" not in chat.last.labels

    async def test_plans_command_and_english_prices(
        self, emulator: Emulator, admin: httpx.AsyncClient
    ) -> None:
        name, _, _ = await catalog_of(admin)
        chat = await started(emulator, language_code="en")
        await chat.send("/tariffs")
        assert chat.last.text.startswith("🌍 Choose a location")
        await chat.press(f"🇳🇱 {name}")
        assert "• 3 месяца — 270 ₽ (save 10%)" in chat.last.text
        await chat.press("Навсегда · 999.50 ₽")
        assert "⏳ Duration: forever" in chat.last.text


class TestLanguage:
    async def test_switch_to_english_and_back(self, emulator: Emulator, api: BackendClient) -> None:
        chat = await started(emulator)
        await chat.press("🌐 Язык")
        assert chat.last.text == "🌐 Выберите язык / Choose your language"
        screen_id = chat.last.message_id

        await chat.press("🇬🇧 English")
        assert chat.answers[-1]["text"] == "✅ Done, the language is now English."
        home = next(m for m in chat.messages if m.message_id == screen_id)
        assert home.text.startswith("🏠 Home")
        assert chat.last.text == "✅ Done, the language is now English."
        assert chat.keyboard_labels == ["🏠 Home", "🎯 Plans", "🔗 Invite a friend", "🌐 Language"]
        profile = await api.me(TelegramIdentity(telegram_id=chat.user_id))
        assert profile.language == "en"

        await chat.press("🎯 Plans")
        assert chat.last.text.startswith("🌍 Choose a location")
        await chat.press("🌐 Language")
        await chat.press("🇷🇺 Русский")
        assert chat.keyboard_labels[0] == "🏠 Главная"
        await chat.send("/start")
        assert chat.messages[-2].text.startswith("👋 С возвращением")
