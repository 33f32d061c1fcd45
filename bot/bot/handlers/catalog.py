"""🎯 Plans: locations → the plans of a location (price, discount) → one plan.

Callback payloads only name a location or plan; each screen re-reads the public catalog, so a plan or
location that is no longer on sale gets a polite answer and the current list.
"""

from __future__ import annotations

import asyncio
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram_i18n import I18nContext

from bot.api.client import BackendClient
from bot.api.models import Location, Tariff
from bot.formatting import money, monthly_price
from bot.i18n import labels
from bot.keyboards.callbacks import LocationCb, NavCb, PlanCb, Screen, parse_id
from bot.keyboards.catalog import locations_keyboard, plan_keyboard, plans_keyboard
from bot.screen import show


def duration_text(i18n: I18nContext, days: int | None) -> str:
    """`forever`, `3 months` for whole months, `45 days` otherwise."""
    if days is None:
        return i18n.get("duration-forever")
    if days % 30 == 0:
        return i18n.get("duration-months", months=days // 30)
    return i18n.get("duration-days", days=days)


def locations_text(i18n: I18nContext, locations: list[Location]) -> str:
    """The title of the locations screen, or why there is nothing to choose."""
    return i18n.get("locations-title" if locations else "locations-empty")


def plans_text(i18n: I18nContext, location: Location, plans: list[Tariff]) -> str:
    """The location, then a line per plan with its price and saving."""
    head = i18n.get("plans-title", flag=location.flag_emoji, location=escape(location.name))
    if not plans:
        return f"{head}\n\n{i18n.get('plans-empty')}"
    lines = []
    for plan in plans:
        price = money(plan.price, i18n.locale, plan.currency)
        if plan.discount_percent:
            lines.append(
                i18n.get(
                    "plan-line-discount", name=escape(plan.name), price=price, discount=plan.discount_percent
                )
            )
        else:
            lines.append(i18n.get("plan-line", name=escape(plan.name), price=price))
    return head + "\n\n" + "\n".join(lines)


def plan_text(i18n: I18nContext, location: Location, plan: Tariff) -> str:
    """Everything about one plan: duration, price (and per month), saving, devices, traffic."""
    price = money(plan.price, i18n.locale, plan.currency)
    lines = [
        i18n.get(
            "plan-card-title",
            flag=location.flag_emoji,
            location=escape(location.name),
            name=escape(plan.name),
        ),
        "",
        i18n.get("plan-duration", duration=duration_text(i18n, plan.duration_days)),
    ]
    if plan.duration_days and plan.duration_days > 30:
        monthly = money(monthly_price(plan.price, plan.duration_days), i18n.locale, plan.currency)
        lines.append(i18n.get("plan-price-per-month", price=price, monthly=monthly))
    else:
        lines.append(i18n.get("plan-price", price=price))
    if plan.discount_percent:
        lines.append(i18n.get("plan-discount", discount=plan.discount_percent))
    if plan.device_limit:
        lines.append(i18n.get("plan-devices", count=plan.device_limit))
    else:
        lines.append(i18n.get("plan-devices-unlimited"))
    if plan.traffic_limit_gb:
        lines.append(i18n.get("plan-traffic", gb=plan.traffic_limit_gb))
    else:
        lines.append(i18n.get("plan-traffic-unlimited"))
    if plan.description:
        lines.extend(["", escape(plan.description)])
    return "\n".join(lines)


async def _catalog(api: BackendClient, loc: str) -> tuple[list[Location], Location | None, list[Tariff]]:
    """Every location, the one the payload names (None when it is not on sale) and its plans, fetched
    together; a malformed payload names no location."""
    location_id = parse_id(loc)
    if location_id is None:
        return await api.locations(), None, []
    locations, plans = await asyncio.gather(api.locations(), api.tariffs(location_id))
    return locations, next((x for x in locations if x.id == location_id), None), plans


async def open_locations(
    event: Message | CallbackQuery, bot: Bot, state: FSMContext, api: BackendClient, i18n: I18nContext
) -> None:
    """🎯 from the main menu or /tariffs (a new screen), or from another screen (edited in place)."""
    await _show_locations(event, bot, state, i18n, await api.locations())


async def _show_locations(
    event: Message | CallbackQuery, bot: Bot, state: FSMContext, i18n: I18nContext, locations: list[Location]
) -> None:
    await show(event, bot, state, locations_text(i18n, locations), locations_keyboard(i18n, locations))


async def location_plans(
    query: CallbackQuery,
    callback_data: LocationCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    state: FSMContext,
    api: BackendClient,
    i18n: I18nContext,
) -> None:
    """The plans of a location; a full or vanished location keeps the customer on the locations list."""
    locations, location, plans = await _catalog(api, callback_data.loc)
    if location is None or not location.available:
        callback_answer.text = i18n.get("location-gone" if location is None else "location-full")
        callback_answer.show_alert = location is not None
        await _show_locations(query, bot, state, i18n, locations)
        return
    await show(query, bot, state, plans_text(i18n, location, plans), plans_keyboard(i18n, location, plans))


async def plan_card(
    query: CallbackQuery,
    callback_data: PlanCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    state: FSMContext,
    api: BackendClient,
    i18n: I18nContext,
) -> None:
    """One plan of one location; a plan no longer on sale shows the location's current plans."""
    locations, location, plans = await _catalog(api, callback_data.loc)
    if location is None:
        callback_answer.text = i18n.get("location-gone")
        await _show_locations(query, bot, state, i18n, locations)
        return
    plan_id = parse_id(callback_data.plan)
    plan = next((p for p in plans if p.id == plan_id), None)
    if plan is None:
        callback_answer.text = i18n.get("plan-gone")
        await show(
            query, bot, state, plans_text(i18n, location, plans), plans_keyboard(i18n, location, plans)
        )
        return
    await show(query, bot, state, plan_text(i18n, location, plan), plan_keyboard(i18n, location))


def build_router() -> Router:
    """The catalog router."""
    router = Router(name=__name__)
    router.message.register(open_locations, Command("tariffs"))
    router.message.register(open_locations, F.text.in_(labels("menu-tariffs")))
    router.callback_query.register(open_locations, NavCb.filter(F.to == Screen.locations))
    router.callback_query.register(location_plans, LocationCb.filter())
    router.callback_query.register(plan_card, PlanCb.filter())
    return router
