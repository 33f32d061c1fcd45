"""Password hashing with passlib's argon2 (passlib's bcrypt backend breaks with bcrypt >= 4.1)."""

from __future__ import annotations

from passlib.context import CryptContext

_context = CryptContext(schemes=["argon2"], deprecated="auto")

# Verified against when the username does not exist, so a login takes the same time either way.
_DUMMY_HASH = _context.hash("not-a-real-password-but-same-cost")


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return _context.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; always spends the hashing time, also for unknown users."""
    if password_hash is None:
        _context.verify(password, _DUMMY_HASH)
        return False
    try:
        return bool(_context.verify(password, password_hash))
    except (ValueError, TypeError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with older parameters."""
    return bool(_context.needs_update(password_hash))
