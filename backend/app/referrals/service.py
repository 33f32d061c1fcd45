"""Referral rewards, each credited once (unique reward key) to the inviter's or invited's ledger."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.billing import settings_keys as keys
from app.billing.ledger import change_balance
from app.config import Settings
from app.kit.money import KOPECK, format_rub, to_money
from app.models import Payment, User
from app.models.enums import LedgerKind
from app.notifications.service import notify_user
from app.referrals import repository
from app.referrals.schemas import ReferralRules, ReferralSummary
from app.shop_settings.registry import get_values

log = structlog.get_logger(__name__)
RULE_KEYS = (keys.REFERRAL_PERCENT, keys.REFERRAL_FIRST_PAYMENT_BONUS, keys.REFERRAL_INVITED_BONUS)


async def rules(session: AsyncSession) -> ReferralRules:
    """The current referral settings."""
    values = await get_values(session, RULE_KEYS)
    return ReferralRules(
        percent=values[keys.REFERRAL_PERCENT.key],
        inviter_first_payment_bonus=to_money(values[keys.REFERRAL_FIRST_PAYMENT_BONUS.key]),
        invited_bonus=to_money(values[keys.REFERRAL_INVITED_BONUS.key]),
    )


async def _credit_once(
    session: AsyncSession,
    payer: User,
    beneficiary: User,
    payment: Payment,
    kind: str,
    source_key: str,
    amount: Decimal,
) -> bool:
    if amount <= 0:
        return False
    reward_id = await repository.insert_reward_once(
        session,
        beneficiary_id=beneficiary.id,
        referred_user_id=payer.id,
        payment_id=payment.id,
        kind=kind,
        source_key=source_key,
        amount=amount,
    )
    if reward_id is None:
        return False
    entry = await change_balance(
        session,
        beneficiary.id,
        amount,
        LedgerKind.referral_bonus,
        reference=f"referral:{kind}:{source_key}",
        comment=f"{kind} for payment {payment.id}",
        payment_id=payment.id,
    )
    log.info(
        "referral_reward",
        beneficiary_id=str(beneficiary.id),
        referred_user_id=str(payer.id),
        kind=kind,
        amount=str(amount),
        payment_id=str(payment.id),
    )
    text = "referral_welcome_bonus" if beneficiary.id == payer.id else "referral_reward"
    notify_user(
        session, beneficiary.id, text, amount=format_rub(amount), balance=format_rub(entry.balance_after)
    )
    return True


async def reward_for_payment(session: AsyncSession, payment: Payment, payer: User) -> None:
    """Pay the inviter's share of a credited top-up and, on the first payment, the fixed bonuses."""
    if payer.referred_by_id is None or payer.referred_by_id == payer.id:
        return
    inviter = await session.get(User, payer.referred_by_id)
    # Registration makes cycles impossible; refusing a two-way pair keeps a broken row from paying out.
    if inviter is None or inviter.referred_by_id == payer.id:
        return
    current = await rules(session)
    share = (payment.amount * current.percent / Decimal(100)).quantize(KOPECK, rounding=ROUND_HALF_UP)
    await _credit_once(session, payer, inviter, payment, "percent", str(payment.id), share)
    if await repository.paid_provider_payments_before(session, payer.id, payment.id) == 0:
        first_key = f"first:{payer.id}"
        await _credit_once(
            session, payer, inviter, payment, "first_payment", first_key, current.inviter_first_payment_bonus
        )
        await _credit_once(session, payer, payer, payment, "welcome_bonus", first_key, current.invited_bonus)


async def summary(session: AsyncSession, settings: Settings, user: User) -> ReferralSummary:
    """The customer's referral page."""
    invited, paying = await repository.invited_counts(session, user.id)
    link = (
        f"https://t.me/{settings.telegram_bot_username}?start=ref_{user.referral_code}"
        if settings.telegram_bot_username
        else None
    )
    return ReferralSummary(
        code=user.referral_code,
        link=link,
        invited_count=invited,
        paying_count=paying,
        earned=await repository.earned_total(session, user.id),
        rules=await rules(session),
    )
