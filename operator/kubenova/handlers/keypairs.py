"""Keypairs: ``status.fingerprint`` (or ``status.error`` for a key that does not parse), written
when it differs from what the Keypair shows (level-triggered, so nothing is kept on the object
but the status itself)."""

from __future__ import annotations

from typing import Any

import kopf

from kubenova import k8s
from kubenova.domain import keypairs as fingerprints
from kubenova.domain.errors import InvalidKey
from kubenova.handlers import runtime
from kubenova.resources.base import GROUP, VERSION
from kubenova.resources.keypair import Keypair

_WRITTEN = "keypair_status"
"""Overlay key of our own status writes (the keypair index is keyed by Nova name)."""


@kopf.on.event(GROUP, VERSION, "keypairs")
async def fingerprint_keypair(type: str | None, body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    rt = runtime.of(memo)
    name = body.metadata.name or ""
    if type == "DELETED":
        rt.view.forget(_WRITTEN, name)
        return
    keypair = rt.view.fresh(_WRITTEN, name, Keypair.model_validate(dict(body)))
    if keypair is None:
        return
    wanted = status_for(keypair)
    if wanted == {"fingerprint": keypair.status.fingerprint, "error": keypair.status.error}:
        return
    try:
        result = await rt.client.merge_patch(k8s.KEYPAIRS, name, {"status": wanted}, subresource="status")
    except k8s.NotFound:
        return
    rt.view.remember(_WRITTEN, name, Keypair.model_validate(result))


def status_for(keypair: Keypair) -> dict[str, str | None]:
    """The status fields for the keypair's public key (``None`` clears a field)."""
    try:
        return {
            "fingerprint": fingerprints.fingerprint(keypair.spec.public_key, keypair.spec.type),
            "error": None,
        }
    except InvalidKey as invalid:
        return {"fingerprint": None, "error": f"Keypair data is invalid: {invalid}"}
