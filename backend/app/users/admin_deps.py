"""The customer named in an admin route's path (`/admin/users/{user_id}/...`), or 404 UserNotFound."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends

from app.deps import SessionDep
from app.models import User
from app.users import admin_service


async def path_user(session: SessionDep, user_id: uuid.UUID) -> User:
    """Load the customer of the path."""
    return await admin_service.get_user(session, user_id)


UserDep = Annotated[User, Depends(path_user)]
