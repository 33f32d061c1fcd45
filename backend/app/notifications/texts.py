"""Texts the backend sends, in Russian and English (HTML parse mode; parameters are escaped).

Each domain keeps its keys in its own section. Parameters are `{name}` placeholders.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

TEXTS: dict[str, dict[str, str]] = {
    # --- payments ---------------------------------------------------------------------------
    "payment_received": {
        "ru": "✅ Оплата получена: <b>{amount}</b>. Баланс: <b>{balance}</b>.",
        "en": "✅ Payment received: <b>{amount}</b>. Balance: <b>{balance}</b>.",
    },
    "referral_reward": {
        "ru": "🎁 Ваш друг пополнил баланс — вам начислено <b>{amount}</b>.",
        "en": "🎁 Your friend topped up — you got <b>{amount}</b>.",
    },
    "refunded": {
        "ru": "↩️ Возврат <b>{amount}</b> на баланс. {reason}",
        "en": "↩️ <b>{amount}</b> refunded to your balance. {reason}",
    },
    "order_not_completed": {
        "ru": "⚠️ Оплата получена, но заказ не оформлен: {reason}\nДеньги на балансе (<b>{balance}</b>) — выберите тариф ещё раз в меню.",
        "en": "⚠️ Payment received, but the order could not be completed: {reason}\nThe money is on your balance (<b>{balance}</b>) — choose a plan again from the menu.",
    },
    "referral_welcome_bonus": {
        "ru": "🎁 Бонус за первое пополнение по приглашению: <b>{amount}</b>. Баланс: <b>{balance}</b>.",
        "en": "🎁 Welcome bonus for your first payment: <b>{amount}</b>. Balance: <b>{balance}</b>.",
    },
    "balance_adjusted": {
        "ru": "💼 Баланс изменён администратором: <b>{amount}</b>. Баланс: <b>{balance}</b>.\n{reason}",
        "en": "💼 Your balance was adjusted by staff: <b>{amount}</b>. Balance: <b>{balance}</b>.\n{reason}",
    },
    "stars_refunded": {
        "ru": "↩️ Возврат <b>{stars} ⭐</b> за платёж. {reason}",
        "en": "↩️ <b>{stars} ⭐</b> refunded for your payment. {reason}",
    },
    # --- subscriptions ------------------------------------------------------------------------
    "subscription_ready": {
        "ru": "🎉 Подписка готова: {flag} <b>{location}</b>, до {until}.\n\nСсылка для приложения:\n<code>{link}</code>\n\n📲 Как подключиться:\n• iPhone/iPad: Streisand или V2Box → «+» → «Вставить из буфера»\n• Android: v2rayNG или Hiddify → «+» → «Импорт из буфера»\n• Windows/macOS: Hiddify → «Новый профиль» → вставьте ссылку\nИли отсканируйте QR-код в приложении.",
        "en": "🎉 Your subscription is ready: {flag} <b>{location}</b>, until {until}.\n\nLink for the app:\n<code>{link}</code>\n\n📲 How to connect:\n• iPhone/iPad: Streisand or V2Box → “+” → “Import from clipboard”\n• Android: v2rayNG or Hiddify → “+” → “Import from clipboard”\n• Windows/macOS: Hiddify → “New profile” → paste the link\nOr scan the QR code in the app.",
    },
    "subscription_failed": {
        "ru": "😔 Не удалось создать подписку ({location}). <b>{amount}</b> вернули на баланс — попробуйте другую локацию или напишите в поддержку.",
        "en": "😔 We could not create your subscription ({location}). <b>{amount}</b> went back to your balance — try another location or contact support.",
    },
    "subscription_extended": {
        "ru": "🔄 Подписка {flag} <b>{location}</b> продлена до {until}.",
        "en": "🔄 Subscription {flag} <b>{location}</b> extended until {until}.",
    },
    "subscription_expiring": {
        "ru": "⏰ Подписка {flag} <b>{location}</b> закончится через {days} дн. ({until}). Продлите, чтобы не потерять доступ.",
        "en": "⏰ Subscription {flag} <b>{location}</b> ends in {days} day(s) ({until}). Renew to keep access.",
    },
    "subscription_expired": {
        "ru": "⌛️ Подписка {flag} <b>{location}</b> закончилась. Продлите её в меню «Мои подписки».",
        "en": "⌛️ Subscription {flag} <b>{location}</b> has ended. Renew it under “My subscriptions”.",
    },
    "subscription_auto_renewed": {
        "ru": "🔁 Подписка {flag} <b>{location}</b> продлена автоматически до {until}. Списано <b>{amount}</b>.",
        "en": "🔁 Subscription {flag} <b>{location}</b> auto-renewed until {until}. Charged <b>{amount}</b>.",
    },
    "auto_renew_no_money": {
        "ru": "💰 Не хватает <b>{missing}</b> для автопродления подписки {flag} <b>{location}</b>. Пополните баланс до {until}.",
        "en": "💰 <b>{missing}</b> is missing to auto-renew {flag} <b>{location}</b>. Top up before {until}.",
    },
    "subscription_failed_no_charge": {
        "ru": "😔 Не удалось создать подписку ({location}). Попробуйте ещё раз позже или напишите в поддержку.",
        "en": "😔 We could not create your subscription ({location}). Please try again later or contact support.",
    },
    "subscription_traffic_exhausted": {
        "ru": "📵 Трафик подписки {flag} <b>{location}</b> закончился ({limit}). Продлите подписку или напишите в поддержку.",
        "en": "📵 The traffic of {flag} <b>{location}</b> is used up ({limit}). Renew the subscription or contact support.",
    },
    "subscription_disabled": {
        "ru": "⏸ Подписка {flag} <b>{location}</b> приостановлена администратором.",
        "en": "⏸ Subscription {flag} <b>{location}</b> was paused by the administrator.",
    },
    "subscription_enabled": {
        "ru": "▶️ Подписка {flag} <b>{location}</b> снова работает.",
        "en": "▶️ Subscription {flag} <b>{location}</b> works again.",
    },
    # --- support ------------------------------------------------------------------------------
    "ticket_answered": {
        "ru": "💬 Ответ поддержки по обращению «{subject}»:\n\n{text}",
        "en": "💬 Support replied to “{subject}”:\n\n{text}",
    },
    # --- staff alerts (sent to ADMIN_CHAT_ID, in Russian) ----------------------------------------
    "alert_ticket_opened": {
        "ru": "🆘 Новое обращение от {user}: <b>{subject}</b>\n\n{text}",
        "en": "🆘 New ticket from {user}: <b>{subject}</b>\n\n{text}",
    },
    "alert_ticket_message": {
        "ru": "💬 {user} пишет в обращении <b>{subject}</b>:\n\n{text}",
        "en": "💬 {user} wrote in <b>{subject}</b>:\n\n{text}",
    },
    "alert_server_down": {
        "ru": "🔴 Сервер <b>{server}</b> недоступен: {error}",
        "en": "🔴 Server <b>{server}</b> is down: {error}",
    },
    "alert_server_up": {
        "ru": "🟢 Сервер <b>{server}</b> снова работает.",
        "en": "🟢 Server <b>{server}</b> is back up.",
    },
    "alert_provisioning_failed": {
        "ru": "⚠️ Не удалось выдать подписку {subscription} ({location}): {error}. Возврат на баланс: {refund}.",
        "en": "⚠️ Provisioning of {subscription} ({location}) failed: {error}. Refunded to balance: {refund}.",
    },
    "alert_webhook_rejected": {
        "ru": "🚨 Отклонён вебхук {provider}: {verdict}.",
        "en": "🚨 Rejected {provider} webhook: {verdict}.",
    },
    "alert_provider_error": {
        "ru": "⚠️ Ошибка платёжной системы {provider}: {error}",
        "en": "⚠️ Payment provider {provider} error: {error}",
    },
    "alert_job_failing": {
        "ru": "⚠️ Задача {job} падает раз за разом: {error}",
        "en": "⚠️ Job {job} keeps failing: {error}",
    },
}


def render(key: str, language: str, params: Mapping[str, object]) -> str:
    """The text `key` in `language` (Russian when missing), with HTML-escaped parameters."""
    table = TEXTS[key]
    template = table.get(language) or table["ru"]
    safe = {k: html.escape(str(v), quote=False) for k, v in params.items()}
    return template.format(**safe)
