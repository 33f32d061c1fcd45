"""Texts: every key in every language with the same parameters; formatting of money and plurals."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast

from bot.formatting import money, monthly_price
from bot.i18n import LOCALES, LOCALES_DIR, create_core, guess_locale, labels, text


def _messages(locale: str) -> dict[str, set[str]]:
    """Message id → the variables it uses."""
    found: dict[str, set[str]] = {}
    for path in sorted(Path(LOCALES_DIR, locale).glob("*.ftl")):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        for entry in resource.body:
            assert not isinstance(entry, ast.Junk), f"{path.name}: {entry.content!r} does not parse"
            if isinstance(entry, ast.Message):
                source = (
                    path.read_text(encoding="utf-8")[entry.span.start : entry.span.end] if entry.span else ""
                )
                found[entry.id.name] = set(re.findall(r"\$([a-z_]+)", source))
    return found


class TestTranslations:
    def test_every_key_in_every_language_with_the_same_parameters(self) -> None:
        ru = _messages("ru")
        assert ru, "no Russian texts found"
        for locale in LOCALES:
            other = _messages(locale)
            assert other.keys() == ru.keys(), f"{locale} differs: {other.keys() ^ ru.keys()}"
            for key, params in ru.items():
                assert other[key] == params, f"{locale}:{key} uses {other[key]}, ru uses {params}"

    def test_no_inline_texts_in_handlers(self) -> None:
        handlers = Path(LOCALES_DIR).parent / "handlers"
        cyrillic = re.compile("[а-яА-ЯёЁ]")
        for path in handlers.glob("*.py"):
            assert not cyrillic.search(path.read_text(encoding="utf-8")), f"{path.name} holds a text"

    def test_russian_plurals(self) -> None:
        assert text("ru", "duration-days", days=1) == "1 день"
        assert text("ru", "duration-days", days=3) == "3 дня"
        assert text("ru", "duration-days", days=11) == "11 дней"
        assert text("ru", "duration-months", months=6) == "6 месяцев"
        assert text("en", "duration-months", months=1) == "1 month"

    async def test_dispatcher_start_up_reloads_only_language_folders(self) -> None:
        core = create_core()
        await core.startup()  # what I18nMiddleware runs when polling or the webhook starts
        assert set(core.available_locales) == set(LOCALES)

    def test_unknown_locale_falls_back_to_russian(self) -> None:
        assert text("de", "btn-back") == "⬅️ Назад"
        assert labels("btn-back") == {"⬅️ Назад", "⬅️ Back"}

    @pytest.mark.parametrize(
        ("code", "locale"),
        [(None, "ru"), ("ru", "ru"), ("uk-UA", "ru"), ("kk", "ru"), ("en-US", "en"), ("de", "en")],
    )
    def test_locale_guess_follows_the_backend_rule(self, code: str | None, locale: str) -> None:
        assert guess_locale(code) == locale


class TestFormatting:
    @pytest.mark.parametrize(
        ("amount", "locale", "shown"),
        [
            ("49", "ru", "49 ₽"),
            ("49.5", "ru", "49,50 ₽"),
            ("1290.00", "ru", "1\u202f290 ₽"),
            ("1290.00", "en", "1,290 ₽"),
            ("0.005", "en", "0.01 ₽"),
        ],
    )
    def test_money(self, amount: str, locale: str, shown: str) -> None:
        assert money(Decimal(amount), locale) == shown

    def test_monthly_price(self) -> None:
        assert monthly_price(Decimal("129"), 90) == Decimal("43")
        assert money(Decimal("100"), "ru", "XTR") == "100 ⭐️"
