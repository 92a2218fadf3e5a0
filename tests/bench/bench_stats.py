"""Summaries of latency samples and per-window rates (pure; seconds in, rounded figures out)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

WINDOW = 5.0


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sample."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(samples: Sequence[float]) -> dict[str, Any]:
    """count, p50, p95, max in seconds (None when there is no sample)."""
    if not samples:
        return {"count": 0, "p50": None, "p95": None, "max": None}
    return {
        "count": len(samples),
        "p50": round(percentile(samples, 50), 4),
        "p95": round(percentile(samples, 95), 4),
        "max": round(max(samples), 4),
    }


def rate(count: int, seconds: float) -> float | None:
    return round(count / seconds, 3) if seconds > 0 and count else None


def windows(
    start: float, issued: Sequence[float], done: Sequence[float], end: float, width: float = WINDOW
) -> list[dict[str, Any]]:
    """Per ``width``-second window from ``start`` to ``end``: servers created (POST sent) and
    ACTIVE in it, the ACTIVE rate, and the backlog at its end (created so far minus ACTIVE so far)."""
    rows: list[dict[str, Any]] = []
    count = max(1, math.ceil((end - start) / width))
    for index in range(count):
        low, high = start + index * width, start + (index + 1) * width
        created = sum(1 for t in issued if low <= t < high)
        active = sum(1 for t in done if low <= t < high)
        backlog = sum(1 for t in issued if t < high) - sum(1 for t in done if t < high)
        rows.append(
            {
                "from": round(index * width, 1),
                "created": created,
                "active": active,
                "active_per_s": round(active / width, 2),
                "backlog": backlog,
            }
        )
    return rows
