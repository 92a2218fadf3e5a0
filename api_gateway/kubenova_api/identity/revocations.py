"""Revoked tokens, shared by all replicas through the Secret ``kubenova-token-revocations``.

Each data key is a revoked token's audit id; its value is the token's expiry (Unix seconds),
after which the entry is useless and is pruned on the next revocation.
"""

from __future__ import annotations

import time

from kubenova_api import errors
from kubenova_api.store.secrets import SecretStore


class RevocationList:
    """Membership checks from the watch cache; revocations written to the Secret."""

    def __init__(self, secrets: SecretStore, name: str) -> None:
        self._secrets = secrets
        self._name = name
        secrets.watch(name)

    def is_revoked(self, audit_ids: tuple[str, ...]) -> bool:
        current = self._secrets.cached(self._name)
        return current is not None and any(audit_id in current.data for audit_id in audit_ids)

    async def revoke(self, audit_id: str, expires_at: float) -> None:
        now = time.time()
        current = self._secrets.cached(self._name)
        update: dict[str, bytes | None] = {audit_id: str(int(expires_at) + 1).encode()}
        if current is not None:
            for key, value in current.data.items():
                try:
                    if float(value.decode()) < now:
                        update[key] = None
                except ValueError:
                    update[key] = None
        if current is None:
            try:
                await self._secrets.create(self._name, {k: v for k, v in update.items() if v is not None})
                return
            except errors.AlreadyExistsError:
                pass  # another replica created it meanwhile: patch below
        await self._secrets.patch_data(self._name, update)
