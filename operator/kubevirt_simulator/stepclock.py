"""How long an object has been in its current step, for the per-step ``--phase-delay``.

Kept in memory on purpose: phase timestamps in the API have second precision, and a restarted
simulator only has to wait one more delay per object, never redo or skip a step.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class StepClock:
    def __init__(self, delay: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._delay = delay
        self._clock = clock
        self._entered: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def remaining(self, uid: str, step: str, steps: float = 1.0) -> float:
        """Seconds until ``step`` has lasted ``steps`` delays; the clock starts when a step is first seen."""
        duration = self._delay * steps
        now = self._clock()
        with self._lock:
            entered = self._entered.get(uid)
            if entered is None or entered[0] != step:
                self._entered[uid] = (step, now)
                return duration
            return max(entered[1] + duration - now, 0.0)

    def entered(self, uid: str, step: str) -> None:
        with self._lock:
            self._entered[uid] = (step, self._clock())

    def forget(self, uid: str) -> None:
        with self._lock:
            self._entered.pop(uid, None)
