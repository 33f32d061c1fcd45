"""Inline keyboards of the catalog: locations, the plans of a location, one plan."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram_i18n import I18nContext

from bot.api.models import Location, Tariff
from bot.formatting import money
from bot.keyboards.callbacks import LocationCb, NavCb, PlanCb, Screen, short_id
from bot.keyboards.menu import nav_row


def locations_keyboard(i18n: I18nContext, locations: list[Location]) -> InlineKeyboardMarkup:
    """One location a row; full ones stay visible, marked, so the customer knows they exist."""
    rows = []
    for loc in locations:
        key = "location-button" if loc.available else "location-full-button"
        rows.append(
            [
                InlineKeyboardButton(
                    text=i18n.get(key, flag=loc.flag_emoji, name=loc.name),
                    callback_data=LocationCb(loc=short_id(loc.id)).pack(),
                )
            ]
        )
    rows.append(nav_row(i18n))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def plan_label(i18n: I18nContext, plan: Tariff) -> str:
    """`3 месяца · 129 ₽ · −12%`."""
    price = money(plan.price, i18n.locale, plan.currency)
    if plan.discount_percent:
        return i18n.get("plan-button-discount", name=plan.name, price=price, discount=plan.discount_percent)
    return i18n.get("plan-button", name=plan.name, price=price)


def plans_keyboard(i18n: I18nContext, location: Location, plans: list[Tariff]) -> InlineKeyboardMarkup:
    """One plan a row, then back to the locations."""
    loc = short_id(location.id)
    rows = [
        [
            InlineKeyboardButton(
                text=plan_label(i18n, plan), callback_data=PlanCb(loc=loc, plan=short_id(plan.id)).pack()
            )
        ]
        for plan in plans
    ]
    rows.append(nav_row(i18n, back=NavCb(to=Screen.locations).pack()))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def plan_keyboard(i18n: I18nContext, location: Location) -> InlineKeyboardMarkup:
    """Back to the plans of the location."""
    return InlineKeyboardMarkup(
        inline_keyboard=[nav_row(i18n, back=LocationCb(loc=short_id(location.id)).pack())]
    )
