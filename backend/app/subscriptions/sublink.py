"""`GET /sub/{token}`: one link for every active subscription of a customer, in the format VPN apps read.

The body is base64 of the newline-joined share links (what v2rayNG, Hiddify, Streisand, Happ and
others import), with the `Subscription-Userinfo` header (traffic and expiry shown in the app),
`Profile-Title` and `Profile-Update-Interval`. The token is the customer's `sub_token`: unguessable,
and replaced by `POST /api/v1/users/me/subscription-url/rotate`.
"""

from __future__ import annotations

import base64

from fastapi import APIRouter, Depends, Response
from sqlalchemy import select

from app.deps import SessionDep, SettingsDep
from app.errors import NotFound
from app.models import Subscription, User
from app.models.enums import SubscriptionStatus
from app.ratelimit.deps import limit_public
from app.shop_settings.registry import get_value
from app.subscriptions.service import links_of
from app.subscriptions.settings import LINK_UPDATE_HOURS

# Public and unauthenticated: limited per address like the catalog (guessing tokens gets nowhere fast).
router = APIRouter(tags=["subscription link"], dependencies=[Depends(limit_public)])


def userinfo(subs: list[Subscription]) -> str:
    """`upload=..; download=..; total=..; expire=..` over the subscriptions (0 = unlimited / never)."""
    download = sum(s.traffic_used_bytes for s in subs)
    limits = [s.traffic_limit_bytes for s in subs]
    total = sum(x for x in limits if x) if limits and all(limits) else 0
    ends = [s.ends_at for s in subs if s.ends_at is not None]
    # The earliest end is the one the customer must act on; a forever subscription alone shows 0.
    expire = int(min(ends).timestamp()) if ends else 0
    return f"upload=0; download={download}; total={total}; expire={expire}"


@router.get(
    "/sub/{token}",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "base64 of the share links"}, 404: {}},
)
async def subscription_link(token: str, session: SessionDep, settings: SettingsDep) -> Response:
    """The customer's share links of every active subscription (no auth: the token is the secret)."""
    user = (
        await session.scalar(select(User).where(User.sub_token == token)) if 16 <= len(token) <= 64 else None
    )
    if user is None or user.is_blocked:
        raise NotFound("Unknown subscription link")
    subs = list(
        (
            await session.scalars(
                select(Subscription)
                .where(Subscription.user_id == user.id, Subscription.status == SubscriptionStatus.active)
                .order_by(Subscription.created_at)
            )
        ).all()
    )
    links = [link for sub in subs for link in links_of(sub)]
    body = base64.b64encode("\n".join(links).encode()).decode() if links else ""
    title = base64.b64encode(settings.shop_name.encode()).decode()
    update_hours: int = await get_value(session, LINK_UPDATE_HOURS)
    headers = {
        "Subscription-Userinfo": userinfo(subs),
        "Profile-Title": f"base64:{title}",
        "Profile-Update-Interval": str(update_hours),
        "Content-Disposition": 'inline; filename="subscription.txt"',
        "Cache-Control": "no-store",
    }
    if settings.telegram_bot_username:
        bot = f"https://t.me/{settings.telegram_bot_username.lstrip('@')}"
        headers["Support-Url"] = bot
        headers["Profile-Web-Page-Url"] = bot
    return Response(content=body, media_type="text/plain", headers=headers)
