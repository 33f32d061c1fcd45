"""Bot texts in Russian (default) and English."""

from __future__ import annotations

from bot.locales import en, ru

_TEXTS = {"ru": ru.TEXTS, "en": en.TEXTS}


def text(lang: str | None, key: str, **params: object) -> str:
    """The text `key` in `lang` (Russian when unknown), formatted with params."""
    table = _TEXTS.get(lang or "ru", ru.TEXTS)
    template = table.get(key) or ru.TEXTS[key]
    return template.format(**params)
