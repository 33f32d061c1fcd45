"""Handlers and middlewares one update at a time (Dispatcher.feed_update + RecordingSession), with the
backend's agreed contract behind the client: subscriptions on the home screen, full locations, forged
payloads, throttling, refusals and failures."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import (
    AnswerCallbackQuery,
    AnswerPreCheckoutQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendMessage,
)

from bot.api.client import BackendClient
from bot.factory import create_dispatcher
from bot.keyboards.callbacks import LocationCb, PlanCb, short_id
from tests.contract import SERVICE_TOKEN, ContractBackend, subscription
from tests.recording import BOT_TOKEN, RecordingSession, callback_update, pre_checkout_update, text_update

USER = 6001


@pytest.fixture
def session() -> RecordingSession:
    return RecordingSession()


@pytest.fixture
def bot(session: RecordingSession) -> Bot:
    return Bot(token=BOT_TOKEN, session=session)


@pytest.fixture
def contract() -> ContractBackend:
    return ContractBackend()


@pytest.fixture
def api(contract: ContractBackend) -> BackendClient:
    return BackendClient("http://backend.test", SERVICE_TOKEN, transport=contract.transport())


@pytest.fixture
def dp(api: BackendClient) -> Dispatcher:
    return create_dispatcher(api, throttle_rate=100, throttle_burst=100)


def answers(session: RecordingSession) -> list[AnswerCallbackQuery]:
    return session.of(AnswerCallbackQuery)


class TestHome:
    async def test_subscription_lines(
        self, dp: Dispatcher, bot: Bot, session: RecordingSession, contract: ContractBackend
    ) -> None:
        await dp.feed_update(bot, text_update("/start", user_id=USER))
        contract.subscriptions[USER] = [
            subscription("Netherlands", "🇳🇱", days_left=21),
            subscription("USA", "🇺🇸", ends_at=None),
            subscription("Germany", "🇩🇪", status="pending"),
            subscription("Trial", "🎁", days_left=1, is_trial=True),
        ]
        contract.users[USER]["balance"] = "1290.50"
        await dp.feed_update(bot, text_update("🏠 Главная", user_id=USER))
        home = session.sent_texts()[-1]
        assert "💰 Баланс: <b>1\u202f290,50 ₽</b>" in home
        assert "🇳🇱 Netherlands — до 31.01.2027 (ещё 21 день)" in home
        assert "🇺🇸 USA — бессрочно" in home
        assert "🇩🇪 Germany — ⏳ готовится" in home
        assert "🎁 Trial — до 31.01.2027 (ещё 1 день) · 🎁 пробная" in home

    async def test_subscriptions_not_deployed_yet_reads_as_none(
        self, dp: Dispatcher, bot: Bot, session: RecordingSession, contract: ContractBackend
    ) -> None:
        contract.missing_routes.add("GET /users/me/subscriptions")
        await dp.feed_update(bot, text_update("/start", user_id=USER))
        assert "Пока нет подписок — выберите тариф 🎯" in session.sent_texts()[-1]

    async def test_subscriptions_failing_still_shows_the_balance(
        self, dp: Dispatcher, bot: Bot, session: RecordingSession, contract: ContractBackend
    ) -> None:
        contract.failures["GET /users/me/subscriptions"] = [503, 503, 503]
        await dp.feed_update(bot, text_update("/start", user_id=USER))
        home = session.sent_texts()[-1]
        assert "💰 Баланс: <b>0 ₽</b>" in home
        assert "Не удалось загрузить подписки" in home

    async def test_old_screen_that_cannot_be_edited_is_sent_anew(
        self, dp: Dispatcher, bot: Bot, session: RecordingSession
    ) -> None:
        await dp.feed_update(bot, text_update("/start", user_id=USER))
        await dp.feed_update(bot, callback_update("nav:home", message_id=999_999, user_id=USER))
        assert session.sent_texts()[-1].startswith("🏠 <b>Главная</b>")
        # The previous screen lost its buttons: only one live menu in the chat.
        assert session.of(EditMessageReplyMarkup)[-1].reply_markup is None

    async def test_pressing_the_same_screen_twice_is_quiet(
        self, dp: Dispatcher, bot: Bot, session: RecordingSession
    ) -> None:
        await dp.feed_update(bot, text_update("/start", user_id=USER))
        screen = session.of(SendMessage)[-1]
        message_id = next(k for k, v in session.texts.items() if v == screen.text)
        await dp.feed_update(bot, callback_update("nav:home", message_id=message_id, user_id=USER))
        assert len(session.of(SendMessage)) == 2, "not modified: no new message, no error"
        assert answers(session)[-1].text is None


class TestCatalogPayloads:
    async def test_full_location_keeps_the_list(
        self, dp: Dispatcher, bot: Bot, session: RecordingSession, contract: ContractBackend
    ) -> None:
        full = contract.add_location("Singapore", "🇸🇬", available=False)
        screen = session.seed_message("old")
        await dp.feed_update(bot, text_update("🎯 Тарифы", user_id=USER))
        labels = [b.text for row in session.of(SendMessage)[-1].reply_markup.inline_keyboard for b in row]
        assert "🇸🇬 Singapore · нет мест" in labels
        data = LocationCb(loc=short_id(uuid.UUID(full["id"]))).pack()
        await dp.feed_update(bot, callback_update(data, message_id=screen, user_id=USER))
        answer = answers(session)[-1]
        assert (answer.text, answer.show_alert) == (
            "😔 В этой локации сейчас нет свободных мест — выберите другую.",
            True,
        )
        assert session.of(EditMessageText)[-1].text.startswith("🌍 <b>Выберите локацию</b>")

    @pytest.mark.parametrize(
        "data", ["plan:garbage:x", "loc:AAAAAAAAAAAAAAAAAAAAAA", "lang:de", "nav:admin", "buy:1"]
    )
    async def test_forged_or_old_payloads_get_a_polite_answer(
        self, dp: Dispatcher, bot: Bot, session: RecordingSession, data: str
    ) -> None:
        screen = session.seed_message("old")
        await dp.feed_update(bot, callback_update(data, message_id=screen, user_id=USER))
        [answer] = answers(session)
        assert answer.text in {
            "⌛️ Эта кнопка устарела — вот актуальное меню.",
            "⌛️ Этой локации больше нет в продаже — вот актуальный список.",
        }
        assert session.of(EditMessageText), "the screen shows something current"

    async def test_plan_of_another_location_is_not_shown(
        self, dp: Dispatcher, bot: Bot, session: RecordingSession, contract: ContractBackend
    ) -> None:
        nl = contract.add_location("Netherlands", "🇳🇱")
        us = contract.add_location("USA", "🇺🇸")
        us_plan = contract.add_tariff(us, "1 месяц", 30, "49")
        screen = session.seed_message("old")
        data = PlanCb(loc=short_id(uuid.UUID(nl["id"])), plan=short_id(uuid.UUID(us_plan["id"]))).pack()
        await dp.feed_update(bot, callback_update(data, message_id=screen, user_id=USER))
        assert answers(session)[-1].text == "⌛️ Этот тариф больше не продаётся — вот актуальные."
        assert "Для этой локации сейчас нет тарифов" in session.of(EditMessageText)[-1].text


class TestRefusals:
    async def test_backend_down_on_a_message(self, bot: Bot, session: RecordingSession) -> None:
        dead = BackendClient("http://127.0.0.1:1", "x" * 40, timeout=1)
        await create_dispatcher(dead).feed_update(bot, text_update("/start", user_id=USER))
        assert session.sent_texts() == ["⏳ Сервис временно недоступен. Попробуйте через минуту."]
        await dead.close()

    async def test_backend_down_on_a_button_answers_it(self, bot: Bot, session: RecordingSession) -> None:
        dead = BackendClient("http://127.0.0.1:1", "x" * 40, timeout=1)
        await create_dispatcher(dead).feed_update(
            bot, callback_update("nav:home", message_id=1, user_id=USER, language_code="en")
        )
        [answer] = answers(session)
        assert (answer.text, answer.show_alert) == (
            "⏳ The service is temporarily unavailable. Try again in a minute.",
            True,
        )
        await dead.close()

    async def test_failure_inside_a_handler_after_the_answer(
        self, dp: Dispatcher, bot: Bot, session: RecordingSession, contract: ContractBackend
    ) -> None:
        await dp.feed_update(bot, text_update("/start", user_id=USER))
        contract.failures["GET /users/me"] = [500, 500, 500]
        await dp.feed_update(bot, callback_update("nav:home", message_id=1, user_id=USER))
        assert len(answers(session)) == 1
        assert session.sent_texts()[-1] == "⏳ Сервис временно недоступен. Попробуйте через минуту."

    async def test_blocked_at_login_on_a_button(
        self, dp: Dispatcher, bot: Bot, session: RecordingSession, contract: ContractBackend
    ) -> None:
        contract.blocked.add(USER)
        await dp.feed_update(bot, callback_update("nav:home", message_id=1, user_id=USER))
        [answer] = answers(session)
        assert answer.text == "⛔️ Ваш аккаунт заблокирован. Если это ошибка, напишите в поддержку."
        await dp.feed_update(bot, pre_checkout_update(user_id=USER))
        [refusal] = session.of(AnswerPreCheckoutQuery)
        assert refusal.ok is False and refusal.error_message is not None

    async def test_rate_limited_by_the_backend(
        self, dp: Dispatcher, bot: Bot, session: RecordingSession, contract: ContractBackend
    ) -> None:
        await dp.feed_update(bot, text_update("/start", user_id=USER))
        contract.failures["GET /users/me"] = [429]
        await dp.feed_update(bot, text_update("/menu", user_id=USER))
        assert session.sent_texts()[-1] == "🐢 Не так быстро — подождите пару секунд."

    async def test_an_unexpected_error_is_answered(self, bot: Bot, session: RecordingSession) -> None:
        broken = BackendClient("http://backend.test", SERVICE_TOKEN, transport=_transport(lambda: 1 / 0))
        await create_dispatcher(broken).feed_update(bot, text_update("/start", user_id=USER))
        assert session.sent_texts() == ["😕 Что-то пошло не так. Попробуйте ещё раз."]

    async def test_group_chats_are_ignored(self, dp: Dispatcher, bot: Bot, session: RecordingSession) -> None:
        update = text_update("/start", user_id=USER)
        assert update.message is not None
        group = update.message.model_copy(
            update={"chat": update.message.chat.model_copy(update={"id": -100, "type": "group"})}
        )
        await dp.feed_update(bot, update.model_copy(update={"message": group}))
        assert session.calls == []


def _transport(fail: Any) -> Any:
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        fail()
        raise AssertionError("unreachable")

    return httpx.MockTransport(handler)


class TestThrottling:
    async def test_a_flood_is_dropped_with_one_hint(
        self, api: BackendClient, bot: Bot, session: RecordingSession
    ) -> None:
        dp = create_dispatcher(api, throttle_rate=0.001, throttle_burst=2)
        for _ in range(5):
            await dp.feed_update(bot, text_update("как дела?", user_id=USER))
        texts = session.sent_texts()
        assert texts.count("🤔 Не понял сообщение. Выберите пункт меню внизу 👇") == 2
        assert texts.count("🐢 Не так быстро — подождите пару секунд.") == 1
        await dp.feed_update(bot, callback_update("nav:home", message_id=1, user_id=USER))
        assert answers(session)[-1].text == "🐢 Не так быстро — подождите пару секунд."

    async def test_tokens_come_back_over_time(self, api: BackendClient) -> None:
        from bot.middlewares.throttling import ThrottlingMiddleware

        guard = ThrottlingMiddleware(api, rate=1, burst=1)
        assert guard.allow(1, now=100.0) is True
        assert guard.allow(1, now=100.5) is False
        assert guard.allow(2, now=100.5) is True
        assert guard.allow(1, now=101.6) is True


class TestReferral:
    async def test_link_and_numbers_once_the_backend_reports_them(
        self, dp: Dispatcher, bot: Bot, session: RecordingSession
    ) -> None:
        await dp.feed_update(bot, text_update("/start", user_id=USER))
        await dp.feed_update(bot, text_update("🔗 Пригласить друга", user_id=USER))
        screen = session.sent_texts()[-1]
        assert f"<code>https://t.me/recording_bot?start=ref_code{USER}</code>" in screen
        assert "👥 Приглашено: <b>2</b> · 🎁 Заработано: <b>30 ₽</b>" in screen


class TestLogging:
    def test_json_lines_and_quiet_http_client(self, capfd: pytest.CaptureFixture[str]) -> None:
        import json
        import logging

        import structlog

        from bot.logging import configure_logging

        configure_logging("info", json_output=True)
        structlog.get_logger("bot.test").info("customer_registered", telegram_id=1)
        logging.getLogger("httpx").info("HTTP Request: GET /")
        [line] = [x for x in capfd.readouterr().err.splitlines() if x.startswith("{")]
        event = json.loads(line)
        assert (event["event"], event["telegram_id"], event["level"]) == ("customer_registered", 1, "info")
        configure_logging("info", json_output=False)
