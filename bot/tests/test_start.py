"""/start against the real backend: registration, referral deep link, blocked users, backend down."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.types import ReplyKeyboardMarkup

from bot.api.client import BackendClient, TelegramIdentity
from bot.api.errors import BackendError, BackendUnavailable
from bot.factory import create_dispatcher
from tests.recording import BOT_TOKEN, RecordingSession, text_update


@pytest.fixture
def session() -> RecordingSession:
    return RecordingSession()


@pytest.fixture
def bot(session: RecordingSession) -> Bot:
    return Bot(token=BOT_TOKEN, session=session)


class TestBackendClient:
    async def test_login_then_me_uses_cached_token(self, api: BackendClient) -> None:
        who = TelegramIdentity(telegram_id=777001, username="anna", first_name="Anna", language_code="en")
        auth = await api.login(who)
        assert auth.created is True
        assert auth.user.language == "en"
        profile = await api.me(who)
        assert profile.telegram_id == 777001
        assert str(profile.balance) == "0.00"
        assert profile.subscription_url.startswith("https://shop.test/sub/")

    async def test_wrong_service_token_is_a_backend_error(self, backend_url: str) -> None:
        client = BackendClient(backend_url, "x" * 40)
        with pytest.raises(BackendError) as exc:
            await client.login(TelegramIdentity(telegram_id=1))
        assert exc.value.status == 401
        await client.close()

    async def test_unreachable_backend(self) -> None:
        client = BackendClient("http://127.0.0.1:1", "x" * 40, timeout=1)
        with pytest.raises(BackendUnavailable):
            await client.login(TelegramIdentity(telegram_id=1))
        await client.close()


class TestStart:
    async def test_new_user_gets_greeting_and_menu(
        self, api: BackendClient, bot: Bot, session: RecordingSession
    ) -> None:
        dp = create_dispatcher(api)
        await dp.feed_update(bot, text_update("/start", user_id=777100))
        [call] = session.calls
        assert call.text.startswith("👋 Привет, Anna!")
        assert isinstance(call.reply_markup, ReplyKeyboardMarkup)
        labels = [b.text for row in call.reply_markup.keyboard for b in row]
        assert "🎯 Тарифы" in labels and "💰 Баланс" in labels

        await dp.feed_update(bot, text_update("/start", user_id=777100))
        assert session.sent_texts()[-1] == "👋 С возвращением, Anna!"

    async def test_referral_deep_link(self, api: BackendClient, bot: Bot, session: RecordingSession) -> None:
        inviter = await api.login(TelegramIdentity(telegram_id=777200, first_name="Inviter"))
        dp = create_dispatcher(api)
        await dp.feed_update(bot, text_update(f"/start ref_{inviter.user.referral_code}", user_id=777201))
        invited = await api.login(TelegramIdentity(telegram_id=777201))
        assert invited.created is False
        profile = await api.me(TelegramIdentity(telegram_id=777201))
        assert profile.id != inviter.user.id
        me = await api._request(
            "GET", "/users/me", token=await api.token_for(TelegramIdentity(telegram_id=777201))
        )
        assert me["referred_by_id"] == str(inviter.user.id)

    async def test_english_user(self, api: BackendClient, bot: Bot, session: RecordingSession) -> None:
        dp = create_dispatcher(api)
        await dp.feed_update(bot, text_update("/start", user_id=777300, language_code="en", first_name="Bob"))
        assert session.sent_texts() == [
            "👋 Hi, Bob!\n\nThis is a VPN shop: pick a location and a plan, pay, and your key arrives here."
        ]

    async def test_backend_down_gets_a_clear_message(self, bot: Bot, session: RecordingSession) -> None:
        dead = BackendClient("http://127.0.0.1:1", "x" * 40, timeout=1)
        dp = create_dispatcher(dead)
        await dp.feed_update(bot, text_update("/start", user_id=777400))
        assert session.sent_texts() == ["⏳ Сервис временно недоступен. Попробуйте через минуту."]
        await dead.close()

    async def test_unexpected_error_is_answered(
        self, backend_url: str, bot: Bot, session: RecordingSession
    ) -> None:
        wrong = BackendClient(backend_url, "y" * 40)
        dp = create_dispatcher(wrong)
        await dp.feed_update(bot, text_update("/start", user_id=777500))
        assert session.sent_texts() == ["😕 Что-то пошло не так. Попробуйте ещё раз."]
        await wrong.close()
