"""Authentication and token validation against the directory, keys and revocation list."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from kubenova_api import errors
from kubenova_api.identity import passwords
from kubenova_api.identity.directory import Directory, Project, Role, User, parse_directory
from kubenova_api.identity.lockout import FailedLogins, FailureStore
from kubenova_api.identity.revocations import RevocationList
from kubenova_api.identity.tokens import (
    KEYS_DATA_KEY,
    TokenCodec,
    TokenData,
    new_audit_id,
    new_key,
    parse_keys,
)
from kubenova_api.store.secrets import SecretStore

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Authenticated:
    """A validated token and the directory entries it refers to."""

    token: TokenData
    user: User
    project: Project | None
    roles: tuple[Role, ...]


class IdentityService:
    """Issues and validates tokens. Holds no state beyond the Secret caches and the key ring."""

    def __init__(
        self,
        secrets: SecretStore,
        *,
        identity_secret: str,
        token_key_secret: str,
        revocations: RevocationList,
        token_ttl_seconds: int,
        lockout_failure_attempts: int = 0,
        lockout_duration_seconds: float = 0.0,
        login_failures: FailureStore | None = None,
    ) -> None:
        self._secrets = secrets
        self.failed_logins = FailedLogins(lockout_failure_attempts, lockout_duration_seconds, login_failures)
        self._decoys: dict[str, str] = {}
        self._identity_secret = identity_secret
        self._token_key_secret = token_key_secret
        self._ttl = token_ttl_seconds
        self._codec: TokenCodec | None = None
        self._parsed: tuple[str, Directory] | None = None
        secrets.watch(identity_secret)
        self.revocations = revocations

    # -- keys and directory --------------------------------------------------------------------
    async def load_keys(self) -> None:
        """Read the token keys, creating the Secret with a fresh key if no replica has yet."""
        current = await self._secrets.read(self._token_key_secret)
        if current is None:
            try:
                current = await self._secrets.create(
                    self._token_key_secret, {KEYS_DATA_KEY: new_key() + b"\n"}
                )
                log.info("created token key Secret %s", self._token_key_secret)
            except errors.AlreadyExistsError:
                current = await self._secrets.read(self._token_key_secret)
        keys = parse_keys(current.data.get(KEYS_DATA_KEY, b"")) if current else []
        self._codec = TokenCodec(keys)

    @property
    def codec(self) -> TokenCodec:
        if self._codec is None:
            raise errors.UnavailableError("Token keys are not loaded yet.")
        return self._codec

    def directory(self) -> Directory:
        """The current directory (re-parsed only when the Secret changes)."""
        secret = self._secrets.cached(self._identity_secret)
        text = secret.text("identity.yaml") if secret else None
        if secret is None or text is None:
            raise errors.UnavailableError(
                "Identity is not configured: run 'python -m kubenova_api bootstrap'."
            )
        if self._parsed is None or self._parsed[0] != secret.resource_version:
            try:
                self._parsed = (secret.resource_version, parse_directory(text))
            except ValueError as exc:
                log.error("identity configuration rejected: %s", exc)
                if self._parsed is None:
                    raise errors.UnavailableError("The identity configuration is invalid.") from None
        return self._parsed[1]

    # -- authentication ----------------------------------------------------------------------
    async def check_password(self, user: User | None, password: str, *, name: str) -> None:
        """401 unless ``user`` exists, is enabled and has ``password``.

        An unknown user (``None``, asked for as ``name``) costs a bcrypt check all the same, so
        the answer's timing does not tell which names exist; consecutive failures per name lock
        it out (``FailedLogins``) before any check is made.
        """
        key = user.id if user is not None else f"name:{name}"
        locked, record = await self._lockout(self.failed_logins.check(key), (False, None))
        if locked:
            raise errors.UnauthorizedError(f"The account is locked for user: {user.id if user else name}.")
        stored = user.password_hash if user is not None and user.password_hash else self._decoy()
        # bcrypt is deliberately slow: keep it off the event loop.
        ok = await asyncio.to_thread(passwords.verify_password, password, stored)
        if not ok or user is None or not user.enabled or not user.password_hash:
            await self._lockout(self.failed_logins.failed(key), None)
            raise errors.UnauthorizedError()
        await self._lockout(self.failed_logins.succeeded(key, record), None)

    @staticmethod
    async def _lockout(step: Awaitable[T], otherwise: T) -> T:
        """A step of the lockout against the cluster; with the API server unreachable, logins go
        on unthrottled (as the rest of the gateway serves from its caches) rather than fail."""
        try:
            return await step
        except (errors.UnavailableError, errors.ConflictError) as exc:
            # A login's answer is Keystone's (401, or 201), never the bookkeeping's 409 or 503.
            log.warning("failed-login lockout skipped: %s", exc)
            return otherwise

    def _decoy(self) -> str:
        """A hash of a random password at the directory's bcrypt cost (that of its first hash)."""
        cost = next(
            (u.password_hash.split("$")[2] for u in self.directory().config.users if u.password_hash), "12"
        )
        if cost not in self._decoys:
            self._decoys[cost] = passwords.hash_password(new_audit_id(), rounds=int(cost))
        return self._decoys[cost]

    def issue(
        self,
        user: User,
        project: Project | None,
        *,
        methods: tuple[str, ...],
        parent: TokenData | None = None,
    ) -> tuple[str, Authenticated]:
        """A new token for ``user`` scoped to ``project`` (401 if the user has no role there)."""
        roles: tuple[Role, ...] = ()
        if project is not None:
            if not project.enabled:
                raise errors.UnauthorizedError(f"Project {project.id} is disabled.")
            roles = tuple(self.directory().roles_for(user.id, project.id))
            if not roles:
                raise errors.UnauthorizedError(f"User {user.id} has no access to project {project.id}.")
        now = time.time()
        expires = now + self._ttl if parent is None else min(parent.expires_at, now + self._ttl)
        chain = () if parent is None else (parent.audit_id,)
        data = TokenData(
            user_id=user.id,
            project_id=project.id if project else None,
            roles=tuple(role.name for role in roles),
            issued_at=now,
            expires_at=expires,
            audit_id=new_audit_id(),
            methods=methods,
            audit_chain=chain,
        )
        return self.codec.encode(data), Authenticated(data, user, project, roles)

    def validate(self, token: str) -> Authenticated:
        """The token's bearer, or ``UnauthorizedError`` (expired, revoked, unknown, disabled)."""
        data = self.codec.decode(token)
        if data is None or data.expired:
            raise errors.UnauthorizedError()
        if self.revocations.is_revoked((data.audit_id, *data.audit_chain)):
            raise errors.UnauthorizedError()
        directory = self.directory()
        user = directory.user_by_id(data.user_id)
        if user is None or not user.enabled:
            raise errors.UnauthorizedError()
        project = None
        if data.project_id is not None:
            project = directory.project_by_id(data.project_id)
            if project is None or not project.enabled:
                raise errors.UnauthorizedError()
        roles: tuple[Role, ...] = ()
        if project is not None:
            # Keystone resolves roles when a token is validated: a role removed since the token
            # was issued no longer applies, and a token left with none is no longer valid.
            roles = tuple(directory.roles_for(user.id, project.id))
            if not roles:
                raise errors.UnauthorizedError()
        return Authenticated(data, user, project, roles)

    async def revoke(self, data: TokenData) -> None:
        await self.revocations.revoke(data.audit_id, data.expires_at)
