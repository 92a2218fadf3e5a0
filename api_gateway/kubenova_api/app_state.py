"""What one gateway process holds: settings, the store and the identity service (``app.state.gateway``)."""

from __future__ import annotations

from dataclasses import dataclass

from kubenova_api.identity.revocations import RevocationList
from kubenova_api.identity.service import IdentityService
from kubenova_api.settings import Settings
from kubenova_api.store import Store


@dataclass
class AppState:
    settings: Settings
    store: Store
    identity: IdentityService

    @classmethod
    def build(cls, settings: Settings, store: Store) -> AppState:
        identity = IdentityService(
            store.secrets,
            identity_secret=settings.identity_secret,
            token_key_secret=settings.token_key_secret,
            revocations=RevocationList(store.revocations, store.secrets, settings.revocation_secret),
            token_ttl_seconds=settings.token_ttl_seconds,
            lockout_failure_attempts=settings.lockout_failure_attempts,
            lockout_duration_seconds=settings.lockout_duration_seconds,
            login_failures=store.login_failures,
        )
        return cls(settings=settings, store=store, identity=identity)
