"""Failed password logins in a row lock a user name out for a while (Keystone's
``lockout_failure_attempts`` / ``lockout_duration``), so passwords cannot be guessed at the speed of
the API. Kept in this replica's memory: a transient guard, like a rate limit, not identity data;
each replica counts the attempts it sees.

Unknown user names are counted too (under the name asked for), so probing for names costs the same.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_TRACKED = 10_000
"""Names tracked at most (the oldest are forgotten first), so a flood cannot exhaust memory."""


@dataclass
class _Failures:
    count: int
    locked_until: float


class FailedLogins:
    """Consecutive failures per user key; ``attempts`` 0 turns the lockout off."""

    def __init__(self, attempts: int, duration: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._attempts = attempts
        self._duration = duration
        self._clock = clock
        self._failures: OrderedDict[str, _Failures] = OrderedDict()

    def locked(self, key: str) -> bool:
        """Whether ``key`` may not try now; a lockout that ran out starts the count afresh."""
        entry = self._failures.get(key)
        if entry is None or entry.locked_until == 0.0:
            return False
        if self._clock() < entry.locked_until:
            return True
        del self._failures[key]
        return False

    def failed(self, key: str) -> None:
        if self._attempts <= 0:
            return
        entry = self._failures.pop(key, None) or _Failures(0, 0.0)
        entry.count += 1
        if entry.count >= self._attempts:
            entry.locked_until = self._clock() + self._duration
        self._failures[key] = entry
        while len(self._failures) > MAX_TRACKED:
            self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
