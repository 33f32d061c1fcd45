"""Bot texts: Fluent files under locales/<locale>/ (a folder holding nothing else: every subfolder is a
language), Russian first, served through aiogram-i18n."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from aiogram_i18n.cores import FluentRuntimeCore

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_LOCALE = "ru"
LOCALES = ("ru", "en")
# Telegram language codes the backend answers in Russian (the same rule it applies at registration).
_RUSSIAN_SPEAKING = {"ru", "uk", "be", "kk", "ky", "uz", "tg", "hy", "az", "ka", "mo", "tk"}


def create_core() -> FluentRuntimeCore:
    """A Fluent core with every locale loaded now (so it also works without dispatcher start-up)."""
    core = FluentRuntimeCore(path=LOCALES_DIR / "{locale}", default_locale=DEFAULT_LOCALE)
    core.locales.update(core.find_locales())
    return core


@lru_cache
def shared_core() -> FluentRuntimeCore:
    """One loaded core per process, for texts needed outside a handler (filters, start-up)."""
    return create_core()


def text(locale: str, key: str, **params: object) -> str:
    """The text `key` in `locale` (Russian when the locale is unknown)."""
    return shared_core().get(key, locale if locale in LOCALES else DEFAULT_LOCALE, **params)


def labels(key: str) -> frozenset[str]:
    """The text `key` in every locale: reply-keyboard buttons match whichever language was shown."""
    return frozenset(text(locale, key) for locale in LOCALES)


def guess_locale(language_code: str | None) -> str:
    """ru or en from Telegram's language_code, for users the backend has not answered for yet."""
    if not language_code:
        return DEFAULT_LOCALE
    return "ru" if language_code.split("-")[0].lower() in _RUSSIAN_SPEAKING else "en"
