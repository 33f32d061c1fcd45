"""The customer's referral page."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field


class ReferralRules(BaseModel):
    """What inviting pays, as the shop set it."""

    percent: Decimal = Field(description="inviter's percent of every top-up of an invited customer")
    inviter_first_payment_bonus: Decimal = Field(
        description="RUB to the inviter on the invited customer's first payment"
    )
    invited_bonus: Decimal = Field(description="RUB to the invited customer on their first payment")


class ReferralSummary(BaseModel):
    """The customer's code, link and earnings."""

    code: str = Field(description="the customer's referral code (the bot starts with ref_<code>)")
    link: str | None = Field(
        description="t.me link that starts the bot with the code (when the bot is known)"
    )
    invited_count: int
    paying_count: int = Field(description="invited customers who paid at least once")
    earned: Decimal = Field(description="RUB earned from referrals so far")
    rules: ReferralRules
