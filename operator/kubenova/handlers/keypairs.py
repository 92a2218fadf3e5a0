"""Keypairs: ``status.fingerprint`` (or ``status.error`` for a key that does not parse)."""

from __future__ import annotations

from typing import Any

import kopf

from kubenova import k8s
from kubenova.domain import keypairs as fingerprints
from kubenova.domain.errors import InvalidKey
from kubenova.handlers import runtime
from kubenova.resources.base import GROUP, VERSION
from kubenova.resources.keypair import Keypair


@kopf.on.resume(GROUP, VERSION, "keypairs")
@kopf.on.create(GROUP, VERSION, "keypairs")
@kopf.on.update(GROUP, VERSION, "keypairs", field="spec")
async def fingerprint_keypair(body: kopf.Body, memo: kopf.Memo, **_: Any) -> None:
    keypair = Keypair.model_validate(dict(body))
    wanted = status_for(keypair)
    if wanted == {"fingerprint": keypair.status.fingerprint, "error": keypair.status.error}:
        return
    await runtime.of(memo).client.merge_patch(
        k8s.KEYPAIRS, keypair.metadata.name, {"status": wanted}, subresource="status"
    )


def status_for(keypair: Keypair) -> dict[str, str | None]:
    """The status fields for the keypair's public key (``None`` clears a field)."""
    try:
        return {
            "fingerprint": fingerprints.fingerprint(keypair.spec.public_key, keypair.spec.type),
            "error": None,
        }
    except InvalidKey as invalid:
        return {"fingerprint": None, "error": f"Keypair data is invalid: {invalid}"}
