"""bcrypt password hashes for the identity directory."""

from __future__ import annotations

import bcrypt

DEFAULT_ROUNDS = 12
# bcrypt only looks at the first 72 bytes; longer passwords are refused by bcrypt 5.
_MAX_BYTES = 72


def hash_password(password: str, *, rounds: int = DEFAULT_ROUNDS) -> str:
    encoded = password.encode()
    if len(encoded) > _MAX_BYTES:
        raise ValueError("passwords are limited to 72 bytes")
    return bcrypt.hashpw(encoded, bcrypt.gensalt(rounds=rounds)).decode()


def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant-time check; False for a user without a password or an over-long password."""
    encoded = password.encode()
    if not password_hash or len(encoded) > _MAX_BYTES:
        return False
    try:
        return bcrypt.checkpw(encoded, password_hash.encode())
    except ValueError:
        return False
