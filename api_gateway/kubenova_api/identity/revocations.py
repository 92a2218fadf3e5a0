"""Revoked tokens, shared by all replicas (``store.revocations``: ConfigMaps filed by expiry).

Revocations written by an older gateway into the single Secret ``kubenova-token-revocations``
are still honoured (read from its watch cache, never written): that Secret may be deleted once
the longest token lifetime has passed since the upgrade.
"""

from __future__ import annotations

import time

from kubenova_api.store.revocations import RevocationStore
from kubenova_api.store.secrets import SecretStore


class RevocationList:
    """Membership checks from the watch caches; revocations filed by the token's expiry."""

    def __init__(self, store: RevocationStore, secrets: SecretStore, legacy_secret: str) -> None:
        self._store = store
        self._secrets = secrets
        self._legacy = legacy_secret
        secrets.watch(legacy_secret)

    def is_revoked(self, audit_ids: tuple[str, ...]) -> bool:
        if self._store.revoked(audit_ids):
            return True
        legacy = self._secrets.cached(self._legacy)
        return legacy is not None and any(audit_id in legacy.data for audit_id in audit_ids)

    async def revoke(self, audit_id: str, expires_at: float) -> None:
        await self._store.add(audit_id, expires_at)
        await self._store.drop_expired(time.time())
