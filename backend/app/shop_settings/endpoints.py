"""Shop settings for staff (typed, validated, audited) and the public shop info for the bot."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from app.admin_auth.deps import CurrentPrincipal, RequireRole
from app.audit.service import record
from app.deps import SessionDep, SettingsDep
from app.errors import error_responses
from app.models.enums import AdminRole
from app.shop_settings import service
from app.shop_settings.registry import SettingDef
from app.shop_settings.schemas import SettingGroup, SettingItem, SettingUpdate, ShopInfo

router = APIRouter(prefix="/admin/settings", tags=["admin: settings"])
public_router = APIRouter(tags=["catalog"])

ADMIN = Depends(RequireRole(AdminRole.admin))


def _definition(key: Annotated[str, Path(max_length=100)]) -> SettingDef[Any]:
    return service.get_definition(key)


DefinitionDep = Annotated[SettingDef[Any], Depends(_definition)]


@router.get("", response_model=list[SettingGroup], dependencies=[ADMIN])
async def list_settings(session: SessionDep) -> list[SettingGroup]:
    """Every setting, grouped, with its value, default, description and JSON schema."""
    return await service.list_groups(session)


@router.get("/{key}", response_model=SettingItem, responses=error_responses(404), dependencies=[ADMIN])
async def get_setting(definition: DefinitionDep, session: SessionDep) -> SettingItem:
    """One setting."""
    return await service.get_item(session, definition)


@router.put("/{key}", response_model=SettingItem, responses=error_responses(404), dependencies=[ADMIN])
async def put_setting(
    body: SettingUpdate,
    definition: DefinitionDep,
    session: SessionDep,
    principal: CurrentPrincipal,
    request: Request,
) -> SettingItem:
    """Change a setting; a value that does not match its schema is refused with 422."""
    before = await service.get_item(session, definition)
    item = await service.change(session, definition, body.value, principal.admin_id)
    record(
        session,
        principal,
        "setting.update",
        "setting",
        definition.key,
        before={"value": before.value, "is_default": before.is_default},
        after={"value": item.value},
        request=request,
    )
    return item


@router.delete("/{key}", response_model=SettingItem, responses=error_responses(404), dependencies=[ADMIN])
async def reset_setting(
    definition: DefinitionDep, session: SessionDep, principal: CurrentPrincipal, request: Request
) -> SettingItem:
    """Reset a setting to its default."""
    before = await service.get_item(session, definition)
    item = await service.reset(session, definition)
    record(
        session,
        principal,
        "setting.reset",
        "setting",
        definition.key,
        before={"value": before.value, "is_default": before.is_default},
        after={"value": item.value, "is_default": True},
        request=request,
    )
    return item


@public_router.get("/shop-info", response_model=ShopInfo)
async def shop_info(session: SessionDep, settings: SettingsDep) -> ShopInfo:
    """Public: shop name, support contact, texts, trial and referral rules (settings marked public)."""
    return await service.shop_info(session, settings)
