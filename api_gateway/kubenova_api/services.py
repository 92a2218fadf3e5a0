"""What one gateway process holds: settings, the store and the identity service (on ``app.state``)."""

from __future__ import annotations

from dataclasses import dataclass

from kubenova_api.identity.service import IdentityService
from kubenova_api.settings import Settings
from kubenova_api.store import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    identity: IdentityService

    @classmethod
    def build(cls, settings: Settings, store: Store) -> Services:
        identity = IdentityService(
            store.secrets,
            identity_secret=settings.identity_secret,
            token_key_secret=settings.token_key_secret,
            revocation_secret=settings.revocation_secret,
            token_ttl_seconds=settings.token_ttl_seconds,
        )
        return cls(settings=settings, store=store, identity=identity)
