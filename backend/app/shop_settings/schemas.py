"""Bodies of the settings API and the public shop information."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SettingItem(BaseModel):
    """One setting with its current value, default and JSON schema (for building the form)."""

    key: str
    group: str
    description: str
    public: bool = Field(description="shown to customers through GET /api/v1/shop-info")
    value: Any = Field(description="the value in force (the default when unset or invalid)")
    default: Any
    is_default: bool = Field(description="true when no value is stored")
    stored_value_invalid: bool = Field(
        description="a stored value no longer validates (the default is used until it is fixed)"
    )
    json_schema: dict[str, Any]
    updated_at: datetime | None
    updated_by_id: uuid.UUID | None


class SettingGroup(BaseModel):
    """The settings of one group (shop, texts, support, trial, referrals, ...)."""

    group: str
    items: list[SettingItem]


class SettingUpdate(BaseModel):
    """A new value; its shape is the setting's JSON schema."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"value": "@my_support"}]})

    value: Any


class ShopInfo(BaseModel):
    """What the bot shows customers about the shop: every setting marked public."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "shop_name": "VPN Shop",
                    "settings": {
                        "shop.timezone": "Europe/Moscow",
                        "support.contact": "@my_support",
                        "texts.welcome": {"ru": "Привет! 👋", "en": "Hi! 👋"},
                    },
                }
            ]
        }
    )

    shop_name: str
    settings: dict[str, Any] = Field(description="public settings by key")
