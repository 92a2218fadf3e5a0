"""Scheduling failures, shaped so the operator can write them into a Server's ``fault``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rejection:
    """One host removed by one filter, and why."""

    filter_name: str
    host: str
    reason: str


class NoValidHost(Exception):  # noqa: N818 - Nova's name, which users search for
    """No host passed the filters.

    ``message`` is Nova's fixed text; ``details`` says how many hosts each filter kept, which
    answers "why?" without reading scheduler logs; ``filter_counts`` is the same as data:
    ``(filter name, hosts before, hosts after)`` for every filter that ran, in order.
    ``rejections`` lists each removed host with the filter's reason.
    """

    message = "No valid host was found."

    def __init__(
        self,
        details: str,
        *,
        filter_counts: Sequence[tuple[str, int, int]] = (),
        rejections: Sequence[Rejection] = (),
    ) -> None:
        super().__init__(f"{self.message} {details}")
        self.details = details
        self.filter_counts: list[tuple[str, int, int]] = list(filter_counts)
        self.rejections: list[Rejection] = list(rejections)


def format_filter_counts(filter_counts: Sequence[tuple[str, int, int]]) -> str:
    """``"Filter results: RamFilter: (start: 2, end: 0), ..."``: the NoValidHost details text."""
    parts = [f"{name}: (start: {start}, end: {end})" for name, start, end in filter_counts]
    return "Filter results: " + ", ".join(parts)
