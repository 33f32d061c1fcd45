"""Locations customers choose from (a country or city with one or more servers)."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin


class Location(IdMixin, TimestampMixin, Base):
    """A place to buy VPN in, e.g. "USA 🇺🇸"."""

    __tablename__ = "locations"

    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    country_code: Mapped[str] = mapped_column(String(2), nullable=False)
    flag_emoji: Mapped[str] = mapped_column(String(16), nullable=False, default="", server_default="")
    is_active: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default="true", index=True
    )
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
