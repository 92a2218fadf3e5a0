"""Host aggregates as the scheduler sees them, and how their metadata resolves to numbers.

Nova lets aggregate metadata override per-host options (``cpu_allocation_ratio``,
``ram_weight_multiplier``, ...). When a host sits in several aggregates that set the same key,
Nova takes the *minimum* (``validate_num_values``): the most conservative ratio, the weakest
preference. Values that are not numbers are skipped with a note instead of breaking scheduling,
so one typo in one aggregate cannot stop every server from being placed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from kubenova.domain.zones import AggregateInfo


@dataclass(frozen=True)
class ResolvedNumber:
    """A number taken from aggregate metadata or the configured default, and why."""

    value: float
    source: str
    problems: tuple[str, ...] = ()


def metadata_values(aggregates: Iterable[AggregateInfo]) -> dict[str, set[str]]:
    """Every metadata key of the aggregates with all the values they give it."""
    merged: dict[str, set[str]] = {}
    for aggregate in aggregates:
        for key, value in aggregate.metadata.items():
            merged.setdefault(key, set()).add(value)
    return merged


def minimum_number(
    aggregates: Iterable[AggregateInfo], key: str, default: float, *, positive: bool = False
) -> ResolvedNumber:
    """The smallest valid number the aggregates set for ``key``, else ``default``.

    ``positive`` rejects zero and negative values (allocation ratios); multipliers may be
    negative. Rejected values are reported in ``problems``.
    """
    best: tuple[float, str] | None = None
    problems: list[str] = []
    for aggregate in sorted(aggregates, key=lambda a: a.name):
        raw = aggregate.metadata.get(key)
        if raw is None:
            continue
        value = _as_number(raw, positive=positive)
        if value is None:
            kind = "a positive number" if positive else "a number"
            problems.append(f"aggregate {aggregate.name!r}: {key}={raw!r} is not {kind}; ignored")
            continue
        if best is None or value < best[0]:
            best = (value, f"aggregate {aggregate.name!r}")
    if best is None:
        return ResolvedNumber(default, "config", tuple(problems))
    return ResolvedNumber(best[0], best[1], tuple(problems))


def _as_number(raw: str, *, positive: bool) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    if not math.isfinite(value) or (positive and value <= 0):
        return None
    return value
