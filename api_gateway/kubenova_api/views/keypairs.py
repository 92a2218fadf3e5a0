"""Keypair representations per microversion."""

from __future__ import annotations

import zlib
from typing import Any

from kubenova.domain.errors import InvalidKey
from kubenova.domain.keypairs import fingerprint
from kubenova.resources import Keypair
from kubenova_api.microversions import APIVersion


def nova_time(timestamp: str | None) -> str | None:
    """Kubernetes ``2026-01-02T03:04:05Z`` → Nova's naive ``2026-01-02T03:04:05.000000``."""
    if not timestamp:
        return None
    return timestamp.rstrip("Z") + ".000000" if "." not in timestamp else timestamp.rstrip("Z")


def numeric_id(keypair: Keypair) -> int:
    """Nova shows an integer database id; a stable 31-bit number derived from the object uid."""
    return zlib.crc32((keypair.metadata.uid or keypair.metadata.name).encode()) & 0x7FFFFFFF


def _fingerprint(keypair: Keypair) -> str:
    """The fingerprint the operator stored; computed by the same rule until it has."""
    if keypair.status.fingerprint:
        return keypair.status.fingerprint
    try:
        return fingerprint(keypair.spec.public_key, keypair.spec.type)
    except InvalidKey:  # a kubectl-made object with a bad key: the operator reports it in status
        return ""


def _base(keypair: Keypair, version: APIVersion) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": keypair.key_name,
        "public_key": keypair.spec.public_key,
        "fingerprint": _fingerprint(keypair),
    }
    if version >= "2.2":
        body["type"] = keypair.spec.type
    return body


def index_item(keypair: Keypair, version: APIVersion) -> dict[str, Any]:
    return {"keypair": _base(keypair, version)}


def create(keypair: Keypair, version: APIVersion, *, private_key: str | None) -> dict[str, Any]:
    body = _base(keypair, version)
    body["user_id"] = keypair.spec.user_id
    if private_key is not None:
        body["private_key"] = private_key
    return {"keypair": body}


def show(keypair: Keypair, version: APIVersion) -> dict[str, Any]:
    body = _base(keypair, version)
    body.update(
        {
            "user_id": keypair.spec.user_id,
            "id": numeric_id(keypair),
            "created_at": nova_time(keypair.metadata.creation_timestamp),
            "updated_at": None,
            "deleted": False,
            "deleted_at": None,
        }
    )
    return {"keypair": body}
