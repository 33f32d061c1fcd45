"""Who is calling an admin route: a staff account or a third party's API key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from app.models.enums import AdminRole


@dataclass(frozen=True)
class Principal:
    """An authenticated admin-side caller."""

    kind: str  # "admin" | "api_key"
    id: uuid.UUID
    name: str
    role: AdminRole | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    token_jti: str | None = None
    token_family: str | None = None

    @property
    def admin_id(self) -> uuid.UUID | None:
        """The staff account id, or None for an API key."""
        return self.id if self.kind == "admin" else None

    @property
    def api_key_id(self) -> uuid.UUID | None:
        """The API key id, or None for a staff account."""
        return self.id if self.kind == "api_key" else None

    @property
    def label(self) -> str:
        """How the audit log names the actor."""
        return f"{self.kind}:{self.name}"

    def has_role(self, role: AdminRole) -> bool:
        """Staff accounts: role rank at least `role`."""
        return self.role is not None and self.role.rank >= role.rank
