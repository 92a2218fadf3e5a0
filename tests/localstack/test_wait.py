"""wait_for: returns the first truthy value, fails with the caller's message and the last value."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

import pytest

from tests.support.wait import wait_for, wait_for_async


def test_returns_the_first_truthy_value() -> None:
    values: Iterator[object] = iter([0, None, [], {"ready": True}])
    assert wait_for(lambda: next(values), timeout=5, interval=0.01, message="never") == {"ready": True}


def test_times_out_with_message_and_last_value() -> None:
    counter = itertools.count()
    start = time.monotonic()
    with pytest.raises(AssertionError, match=r"server never ACTIVE .*last value: ''"):
        wait_for(
            lambda: "" if next(counter) >= 0 else "x",
            timeout=0.3,
            interval=0.05,
            message="server never ACTIVE",
        )
    assert 0.3 <= time.monotonic() - start < 2


def test_exceptions_propagate_unless_ignored() -> None:
    def boom() -> bool:
        raise KeyError("missing")

    with pytest.raises(KeyError):
        wait_for(boom, timeout=1, message="x")
    with pytest.raises(AssertionError, match=r"last ignored error: KeyError\('missing'\)"):
        wait_for(boom, timeout=0.2, interval=0.05, message="x", ignore=(KeyError,))


def test_ignored_exception_then_success() -> None:
    attempts: Iterator[str | Exception] = iter([LookupError("not yet"), LookupError("not yet"), "found"])

    def lookup() -> str:
        item = next(attempts)
        if isinstance(item, Exception):
            raise item
        return item

    assert wait_for(lookup, timeout=5, interval=0.01, message="x", ignore=(LookupError,)) == "found"


async def test_async_variant() -> None:
    values = iter([False, False, 42])

    async def predicate() -> int | bool:
        return next(values)

    assert await wait_for_async(predicate, timeout=5, interval=0.01, message="x") == 42
    with pytest.raises(AssertionError, match="still false"):
        await wait_for_async(_false, timeout=0.1, interval=0.02, message="still false")


async def _false() -> bool:
    return False
