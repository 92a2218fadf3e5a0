"""The work queue: de-duplication, per-key exclusivity, delays, back-off."""

from __future__ import annotations

import threading
import time

from kubevirt_simulator.workqueue import WorkQueue


def test_duplicate_adds_are_processed_once() -> None:
    queue: WorkQueue[str] = WorkQueue()
    for _ in range(3):
        queue.add("a")
    queue.add("b")
    assert queue.get(timeout=1) == "a"
    assert queue.get(timeout=1) == "b"
    assert queue.get(timeout=0.05) is None


def test_a_key_is_never_handed_out_twice_at_once() -> None:
    queue: WorkQueue[str] = WorkQueue()
    queue.add("a")
    assert queue.get(timeout=1) == "a"
    queue.add("a")  # re-added while being processed
    assert queue.get(timeout=0.05) is None
    queue.done("a")
    assert queue.get(timeout=1) == "a"


def test_add_after_waits_and_keeps_the_earliest_due_time() -> None:
    queue: WorkQueue[str] = WorkQueue()
    start = time.monotonic()
    queue.add_after("late", 0.3)
    queue.add_after("late", 0.1)
    queue.add_after("late", 5)
    assert queue.get(timeout=2) == "late"
    assert 0.08 <= time.monotonic() - start < 0.3


def test_rate_limited_backoff_grows_until_forgotten() -> None:
    queue: WorkQueue[str] = WorkQueue(base_backoff=0.05, max_backoff=1)
    delays = []
    for _ in range(3):
        start = time.monotonic()
        queue.add_rate_limited("k")
        assert queue.get(timeout=2) == "k"
        queue.done("k")
        delays.append(time.monotonic() - start)
    assert delays[0] < delays[1] < delays[2]
    queue.forget("k")
    start = time.monotonic()
    queue.add_rate_limited("k")
    assert queue.get(timeout=2) == "k"
    assert time.monotonic() - start < 0.15


def test_shutdown_releases_waiting_workers() -> None:
    queue: WorkQueue[str] = WorkQueue()
    results: list[str | None] = []
    worker = threading.Thread(target=lambda: results.append(queue.get()))
    worker.start()
    time.sleep(0.05)
    queue.shutdown()
    worker.join(timeout=2)
    assert results == [None]
    queue.add("ignored")
    assert queue.get(timeout=0.01) is None
