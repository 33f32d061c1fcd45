"""The customer's referral page."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import SessionDep, SettingsDep
from app.errors import error_responses
from app.referrals import service
from app.referrals.schemas import ReferralSummary
from app.users.deps import CurrentUser

router = APIRouter(prefix="/users/me", tags=["customer"])


@router.get("/referrals", response_model=ReferralSummary, responses=error_responses(401, 403))
async def my_referrals(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> ReferralSummary:
    """The customer's referral code and link, how many friends joined and paid, and what it earned."""
    return await service.summary(session, settings, user)
