"""/start, home, referral, blocked customers and notifications, end to end: a chat in the emulator,
the real bot polling it, the real backend and worker behind."""

from __future__ import annotations

from typing import Any

from bot.api.client import BackendClient, TelegramIdentity
from tests.chat import Emulator
from tests.conftest import new_user_id, run_backend_python

_ENQUEUE = """
import asyncio, os, sys
from arq import create_pool
from arq.connections import RedisSettings
async def main():
    redis = await create_pool(RedisSettings.from_dsn(os.environ["REDIS_URL"]))
    await redis.enqueue_job("notifications.send", sys.argv[1], "payment_received",
                            {"amount": "150 ₽", "balance": "150 ₽"}, None)
    await redis.aclose()
asyncio.run(main())
"""


class TestStart:
    async def test_new_customer_gets_greeting_menu_and_home(self, emulator: Emulator) -> None:
        chat = await emulator.chat(new_user_id(), first_name="Anna")
        await chat.send("/start")
        greeting, home = chat.messages
        assert greeting.text.startswith("👋 Привет, Anna!")
        assert chat.keyboard_labels == ["🏠 Главная", "🎯 Тарифы", "🔗 Пригласить друга", "🌐 Язык"]
        assert "💰 Баланс: 0 ₽" in home.text
        assert "Пока нет подписок" in home.text
        assert home.labels == ["🎯 Выбрать тариф", "🔗 Пригласить друга", "🌐 Язык / Language"]

        await chat.send("/start")
        assert chat.messages[2].text == "👋 С возвращением, Anna!"
        # The new home screen is the only live one: the previous lost its buttons.
        assert chat.messages[1].buttons == []
        assert chat.last.buttons

    async def test_names_are_shown_as_text_not_markup(self, emulator: Emulator) -> None:
        chat = await emulator.chat(new_user_id(), first_name="<b>Bob</b> & co")
        await chat.send("/start")
        assert chat.messages[0].text.startswith("👋 Привет, <b>Bob</b> & co!")

    async def test_english_customer(self, emulator: Emulator) -> None:
        chat = await emulator.chat(new_user_id(), first_name="Bob", language_code="en")
        await chat.send("/start")
        assert chat.messages[0].text.startswith("👋 Hi, Bob!")
        assert "💰 Balance: 0 ₽" in chat.last.text
        assert chat.keyboard_labels[0] == "🏠 Home"

    async def test_referral_deep_link_records_the_inviter(
        self, emulator: Emulator, api: BackendClient
    ) -> None:
        inviter = await emulator.chat(new_user_id(), first_name="Inviter")
        await inviter.send("/start")
        await inviter.press("🔗 Пригласить друга")
        screen = inviter.last
        [link] = [line for line in screen.text.splitlines() if line.startswith("https://t.me/")]
        assert link.startswith("https://t.me/vpnshop_test_bot?start=ref_")
        assert screen.button("📤").url is not None and "t.me/share/url" in (screen.button("📤").url or "")

        friend_id = new_user_id()
        friend = await emulator.chat(friend_id, first_name="Friend")
        await friend.send("/start " + link.split("?start=", 1)[1])
        assert friend.messages[0].text.startswith("👋 Привет, Friend!")
        who = TelegramIdentity(telegram_id=friend_id)
        me = await api._as_user(who, "GET", "/users/me")
        inviter_me = await api._as_user(TelegramIdentity(telegram_id=inviter.user_id), "GET", "/users/me")
        assert me["referred_by_id"] == inviter_me["id"]

    async def test_home_from_the_menu_and_from_buttons(self, emulator: Emulator) -> None:
        chat = await emulator.chat(new_user_id())
        await chat.send("/start")
        await chat.press("🏠 Главная")
        assert chat.last.text.startswith("🏠 Главная")
        await chat.press("🌐 Язык / Language")
        assert chat.last.text.startswith("🌐 Выберите язык")
        screen_id = chat.last.message_id
        await chat.press("🏠 Меню")
        assert chat.last.message_id == screen_id, "the screen is edited in place"
        assert chat.last.text.startswith("🏠 Главная")


class TestRefusals:
    async def test_blocked_customer_is_refused_politely(self, emulator: Emulator, backend_sql: Any) -> None:
        chat = await emulator.chat(new_user_id())
        await chat.send("/start")
        backend_sql(f"UPDATE users SET is_blocked = true WHERE telegram_id = {chat.user_id}")  # noqa: S608
        await chat.press("🎯 Выбрать тариф")  # the catalog is public: still shown
        await chat.press("🏠 Меню")  # home needs the customer's token: refused
        assert chat.answers[-1]["data"] == "nav:home"
        assert chat.last.text == "⛔️ Ваш аккаунт заблокирован. Если это ошибка, напишите в поддержку."
        await chat.send("/start")
        assert chat.last.text == "⛔️ Ваш аккаунт заблокирован. Если это ошибка, напишите в поддержку."

    async def test_unknown_text_gets_a_hint_and_the_menu(self, emulator: Emulator) -> None:
        chat = await emulator.chat(new_user_id())
        await chat.send("/start")
        await chat.send("как дела?")
        assert chat.last.text == "🤔 Не понял сообщение. Выберите пункт меню внизу 👇"
        assert chat.last.reply_markup is not None and "keyboard" in chat.last.reply_markup

    async def test_button_of_an_older_bot_gets_the_current_menu(self, emulator: Emulator) -> None:
        chat = await emulator.chat(new_user_id())
        await chat.send("/start")
        old = await emulator.bot_api(
            "sendMessage",
            chat_id=chat.user_id,
            text="Старое меню",
            reply_markup={"inline_keyboard": [[{"text": "Купить", "callback_data": "buy:v1:42"}]]},
        )
        await chat.press_data(old["message_id"], "buy:v1:42")
        assert chat.answers[-1]["text"] == "⌛️ Эта кнопка устарела — вот актуальное меню."
        assert chat.last.message_id == old["message_id"]
        assert chat.last.text.startswith("🏠 Главная")


class TestNotifications:
    async def test_worker_notification_arrives_in_the_chat(
        self, emulator: Emulator, api: BackendClient, backend_env: dict[str, str]
    ) -> None:
        chat = await emulator.chat(new_user_id())
        await chat.send("/start")
        profile = await api.me(TelegramIdentity(telegram_id=chat.user_id))
        run_backend_python(backend_env, _ENQUEUE, str(profile.id))
        message = await chat.wait_for("Оплата получена", timeout=60)
        assert message.text == "✅ Оплата получена: 150 ₽. Баланс: 150 ₽."
