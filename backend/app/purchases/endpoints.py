"""The customer's purchase route."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import SessionDep, SettingsDep
from app.errors import error_responses
from app.payments.deps import HttpDep
from app.purchases import service
from app.purchases.schemas import PurchaseCreate, PurchaseResult
from app.users.deps import CurrentUser

router = APIRouter(prefix="/users/me", tags=["customer"])


@router.post(
    "/purchases",
    response_model=PurchaseResult,
    responses=error_responses(400, 401, 402, 403, 404, 409, 503),
)
async def purchase(
    body: PurchaseCreate, user: CurrentUser, session: SessionDep, settings: SettingsDep, http: HttpDep
) -> PurchaseResult:
    """Buy or renew a plan: paid from the balance (`completed`) or, with `method`, the missing amount is
    invoiced (`payment_required`, pay `payment.pay_url`) and the order completes itself when paid.
    Without `method` a short balance answers 402 InsufficientBalance."""
    return await service.purchase(session, settings, http, user, body)
