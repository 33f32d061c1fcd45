"""Encryption at rest (Fernet, with key rotation) and the column type that applies it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_fernet: MultiFernet | None = None
_current: Fernet | None = None


def _fernet_key(secret: str) -> bytes:
    # Any SECRET_KEY string works: derive the 32-byte Fernet key from it.
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode("utf-8")).digest())


def configure_encryption(secret_key: str, previous_key: str | None = None) -> None:
    """Set the keys used for encryption at rest; the first encrypts, all decrypt (rotation)."""
    global _fernet, _current  # noqa: PLW0603 - one process-wide key set, configured at start-up
    keys = [Fernet(_fernet_key(secret_key))]
    if previous_key:
        keys.append(Fernet(_fernet_key(previous_key)))
    _current = keys[0]
    _fernet = MultiFernet(keys)


def _get_fernet() -> MultiFernet:
    if _fernet is None:
        raise RuntimeError("encryption keys are not configured (configure_encryption)")
    return _fernet


def encrypt(plaintext: str) -> str:
    """Encrypt a string with the current key."""
    return _get_fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt a string encrypted with the current or the previous key."""
    try:
        return _get_fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: SECRET_KEY changed without SECRET_KEY_PREVIOUS") from exc


def rotate(token: str) -> str:
    """Re-encrypt a value under the current key."""
    try:
        return _get_fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: neither SECRET_KEY nor SECRET_KEY_PREVIOUS opens it") from exc


def is_current(token: str) -> bool:
    """True when the current key alone decrypts the value, so a key rotation has nothing to do."""
    _get_fernet()
    assert _current is not None
    try:
        _current.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


class EncryptedString(TypeDecorator[str]):
    """A text column stored encrypted; Python code only ever sees the plaintext."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Encrypt on the way in."""
        if value is None:
            return None
        return encrypt(str(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        """Decrypt on the way out."""
        if value is None:
            return None
        return decrypt(str(value))


def sha256_hex(value: str) -> str:
    """Hex SHA-256, used to store API keys and compare tokens."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def constant_time_equals(a: str, b: str) -> bool:
    """Compare secrets without leaking timing."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def random_token(nbytes: int = 24) -> str:
    """An unguessable URL-safe token."""
    return secrets.token_urlsafe(nbytes)
