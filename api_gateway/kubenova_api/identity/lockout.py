"""Failed password logins in a row lock a user name out for a while (Keystone's
``lockout_failure_attempts`` / ``lockout_duration``), so passwords cannot be guessed at the speed of
the API, however many gateway replicas answer.

Keystone keeps ``failed_auth_count`` and ``failed_auth_at`` in its database; kubenova keeps the same
pair in the cluster (``kubenova_api.store.login_failures``), written only when a login fails (and
once when a login succeeds after failures, to start the count afresh), so every replica sees every
failure and the gateway stays stateless. The rules, as Keystone's ``_is_account_locked``:

- ``attempts`` failures with the latest less than ``duration`` ago: locked; the login is refused
  before the password is checked, and the refusal is not counted.
- A lockout that ran out starts the count afresh. kubenova also forgets a count whose latest
  failure is ``duration`` old (Keystone keeps it until the next success), so the records expire.
- A success starts the count afresh.

Unknown user names are counted too (under the name asked for), so probing for names costs the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Failures:
    """Keystone's ``failed_auth_count`` and ``failed_auth_at`` (Unix time) of one user key."""

    count: int
    last: float


Change = Callable[[Failures | None], Failures]


class FailureStore(Protocol):
    """Where the counts live: ``read`` the current one, ``update`` it atomically (a failure from
    another replica in between is never lost), ``clear`` it. ``update`` may drop other records
    whose latest failure is before ``forget_before``."""

    async def read(self, key: str) -> Failures | None: ...

    async def update(self, key: str, change: Change, *, forget_before: float) -> Failures: ...

    async def clear(self, key: str) -> None: ...


class MemoryFailures:
    """One process's counts (unit tests; a single replica)."""

    def __init__(self) -> None:
        self.records: dict[str, Failures] = {}

    async def read(self, key: str) -> Failures | None:
        return self.records.get(key)

    async def update(self, key: str, change: Change, *, forget_before: float) -> Failures:
        self.records = {k: v for k, v in self.records.items() if v.last >= forget_before or k == key}
        self.records[key] = change(self.records.get(key))
        return self.records[key]

    async def clear(self, key: str) -> None:
        self.records.pop(key, None)


def is_locked(record: Failures | None, *, attempts: int, duration: float, now: float) -> bool:
    """Keystone's ``_is_account_locked``: ``attempts`` failures, the latest under ``duration`` ago."""
    return attempts > 0 and record is not None and record.count >= attempts and now < record.last + duration


def after_failure(record: Failures | None, *, duration: float, now: float) -> Failures:
    """The count after one more failure: a lockout that ran out (or a count ``duration`` old)
    starts afresh."""
    if record is None or now >= record.last + duration:
        return Failures(1, now)
    return Failures(record.count + 1, now)


class FailedLogins:
    """Consecutive failures per user key; ``attempts`` 0 turns the lockout off (nothing is stored)."""

    def __init__(
        self,
        attempts: int,
        duration: float,
        store: FailureStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._attempts = attempts
        self._duration = duration
        self._store: FailureStore = store if store is not None else MemoryFailures()
        self._clock = clock

    async def check(self, key: str) -> tuple[bool, Failures | None]:
        """Whether ``key`` is locked out now, and its record (for :meth:`succeeded`)."""
        if self._attempts <= 0:
            return False, None
        record = await self._store.read(key)
        return is_locked(record, attempts=self._attempts, duration=self._duration, now=self._clock()), record

    async def locked(self, key: str) -> bool:
        return (await self.check(key))[0]

    async def failed(self, key: str) -> Failures | None:
        if self._attempts <= 0:
            return None
        now = self._clock()
        return await self._store.update(
            key,
            lambda record: after_failure(record, duration=self._duration, now=now),
            forget_before=now - self._duration,
        )

    async def succeeded(self, key: str, record: Failures | None) -> None:
        """Start the count afresh (a write only when there was a count)."""
        if record is not None:
            await self._store.clear(key)
