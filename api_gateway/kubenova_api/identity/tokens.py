"""Tokens: Fernet-encrypted payloads, so any replica holding the key can validate them offline.

A token carries the user and project ids, the effective role names, issue and expiry times,
the authentication methods and an audit id (the handle revocation uses). The keys live in the
Secret ``kubenova-token-key`` (data key ``keys``: newline-separated Fernet keys, the first one
signs, all of them validate, so keys can be rotated by prepending a new one).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEYS_DATA_KEY = "keys"


@dataclass(frozen=True)
class TokenData:
    """What a token says about its bearer."""

    user_id: str
    project_id: str | None
    roles: tuple[str, ...]
    issued_at: float
    expires_at: float
    audit_id: str
    methods: tuple[str, ...] = ("password",)
    audit_chain: tuple[str, ...] = field(default_factory=tuple)

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at


def new_audit_id() -> str:
    """Keystone-style audit id: 16 random bytes, URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")


def new_key() -> bytes:
    return Fernet.generate_key()


def parse_keys(raw: bytes) -> list[bytes]:
    return [line.strip() for line in raw.splitlines() if line.strip()]


class TokenCodec:
    """Encrypts and decrypts tokens with a key ring (first key encrypts)."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one token key is required")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encode(self, data: TokenData) -> str:
        payload = {
            "u": data.user_id,
            "p": data.project_id,
            "r": list(data.roles),
            "i": data.issued_at,
            "e": data.expires_at,
            "a": data.audit_id,
            "m": list(data.methods),
            "c": list(data.audit_chain),
        }
        return self._fernet.encrypt(json.dumps(payload, separators=(",", ":")).encode()).decode()

    def decode(self, token: str) -> TokenData | None:
        """The token's data, or None if it was not made with our keys or is malformed."""
        try:
            payload = json.loads(self._fernet.decrypt(token.encode()))
            return TokenData(
                user_id=str(payload["u"]),
                project_id=payload["p"],
                roles=tuple(payload["r"]),
                issued_at=float(payload["i"]),
                expires_at=float(payload["e"]),
                audit_id=str(payload["a"]),
                methods=tuple(payload.get("m") or ("password",)),
                audit_chain=tuple(payload.get("c") or ()),
            )
        except (InvalidToken, ValueError, KeyError, TypeError, UnicodeError):
            return None
