"""Per-object step timing."""

from __future__ import annotations

import pytest

from kubevirt_simulator.stepclock import StepClock


def test_steps_last_one_delay_from_first_sight() -> None:
    now = [100.0]
    clock = StepClock(0.5, lambda: now[0])
    assert clock.remaining("uid", "Pending") == 0.5
    now[0] += 0.2
    assert clock.remaining("uid", "Pending") == pytest.approx(0.3)
    now[0] += 0.4
    assert clock.remaining("uid", "Pending") == 0.0
    assert clock.remaining("uid", "Scheduling") == 0.5  # a new step restarts the clock
    assert clock.remaining("uid", "Scheduling", steps=3) == 1.5
    clock.entered("uid", "Running")
    assert clock.remaining("uid", "Running") == 0.5
    clock.forget("uid")
    assert clock.remaining("uid", "Running") == 0.5
