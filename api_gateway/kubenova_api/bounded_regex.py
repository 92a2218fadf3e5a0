"""Regular expressions from users (``GET /servers?name=...``, ``ip``, ``ip6``), matched within a
time budget.

Nova hands these filters to the database as ``REGEXP``; here they run in the gateway process, on
its event loop, so a pattern with catastrophic backtracking (``^(a+)+$`` against ``aaaa…!``) would
freeze every other request. Patterns are compiled with the ``regex`` package in its ``re``
compatible mode (the same syntax Python's ``re`` accepts) and each search gets what is left of
one budget per request: a request whose filters need more than ``BUDGET_SECONDS`` in total is
answered 400 instead of stalling the gateway.
"""

from __future__ import annotations

import time

import regex

from kubenova_api import errors

BUDGET_SECONDS = 0.25
"""Matching time one request's regular-expression filters may use, all servers together."""


class UserPattern:
    """A user's pattern with a matching-time budget shared by all its searches."""

    def __init__(self, name: str, pattern: str, *, budget: float = BUDGET_SECONDS) -> None:
        try:
            self._compiled = regex.compile(pattern, flags=regex.VERSION0)
        except (regex.error, OverflowError, RecursionError, ValueError):
            raise errors.BadRequestError(f"Invalid regular expression in {name} filter [{pattern}]") from None
        self.name = name
        self.pattern = pattern
        self._left = budget

    def search(self, text: str) -> bool:
        """Whether the pattern matches somewhere in ``text``; 400 once the budget is spent."""
        if self._left <= 0:
            raise self._too_slow()
        started = time.perf_counter()
        try:
            found = self._compiled.search(text, timeout=self._left) is not None
        except TimeoutError:
            raise self._too_slow() from None
        finally:
            self._left -= time.perf_counter() - started
        return found

    def _too_slow(self) -> errors.BadRequestError:
        return errors.BadRequestError(
            f"The regular expression in the {self.name} filter [{self.pattern}] is too expensive to "
            "match; simplify it."
        )
