"""Polling for eventually-true conditions, the only honest way to test a controller.

Reconciliation is asynchronous, so tests state what must *become* true and how long that may take.
Failures say what was expected and what was last seen, not just "timed out".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def _failure(message: str, timeout: float, last: object, error: BaseException | None) -> AssertionError:
    detail = f"{message} (not true after {timeout:g}s; last value: {last!r}"
    if error is not None:
        detail += f"; last ignored error: {error!r}"
    return AssertionError(detail + ")")


def wait_for(
    predicate: Callable[[], T],
    *,
    timeout: float,
    interval: float = 0.2,
    message: str,
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """Call ``predicate`` until it returns something truthy and return that value.

    Raises ``AssertionError`` with ``message`` and the last value after ``timeout`` seconds.
    Exceptions propagate, except those listed in ``ignore`` (e.g. a 404 ``ApiException`` while an
    object is still being created), which count as "not yet".
    """
    deadline = time.monotonic() + timeout
    last: object = None
    error: BaseException | None = None
    while True:
        try:
            value = predicate()
        except ignore as exc:
            error = exc
        else:
            if value:
                return value
            last = value
        if time.monotonic() >= deadline:
            raise _failure(message, timeout, last, error)
        time.sleep(interval)


async def wait_for_async(
    predicate: Callable[[], Awaitable[T]],
    *,
    timeout: float,
    interval: float = 0.2,
    message: str,
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """:func:`wait_for` for async predicates, sleeping with ``asyncio.sleep`` between tries."""
    deadline = time.monotonic() + timeout
    last: object = None
    error: BaseException | None = None
    while True:
        try:
            value = await predicate()
        except ignore as exc:
            error = exc
        else:
            if value:
                return value
            last = value
        if time.monotonic() >= deadline:
            raise _failure(message, timeout, last, error)
        await asyncio.sleep(interval)
