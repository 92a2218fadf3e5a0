"""Combine weighers into one ranking (Nova's ``nova/weights.py`` semantics).

For each weigher, the raw values over the candidate hosts are normalised to 0..1 (using the
weigher's ``minval``/``maxval`` when set), multiplied by that host's multiplier and added to the
host's total. Normalising first keeps MiB from drowning out vCPU counts. Hosts are returned
best first; equal totals are ordered by host name so the result never depends on input order.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.weighers.base import HostWeigher

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class WeighedHost:
    """A candidate host and its total weight (higher is better)."""

    host: HostState
    weight: float


def normalize(
    values: Sequence[float], minval: float | None = None, maxval: float | None = None
) -> list[float]:
    """Scale ``values`` to 0..1 between ``minval`` and ``maxval`` (default: their min and max).

    When every value is the same there is nothing to prefer, so all become 0.
    """
    if not values:
        return []
    low = min(values) if minval is None else minval
    high = max(values) if maxval is None else maxval
    if low == high:
        return [0.0] * len(values)
    span = high - low
    return [(value - low) / span for value in values]


def weigh_hosts(
    hosts: Sequence[HostState],
    spec: RequestSpec,
    config: SchedulerConfig,
    weighers: Sequence[HostWeigher],
    *,
    limit: int | None = None,
) -> list[WeighedHost]:
    """``hosts`` with their total weights, best first (ties by host name); only the best
    ``limit`` when given."""
    totals = [0.0] * len(hosts)
    # A single candidate wins whatever its weight; Nova skips weighing it too.
    if len(hosts) > 1:
        for weigher in weighers:
            if weigher.weighs_nothing(spec):
                continue
            raw = weigher.weigh_objects(hosts, spec)
            normalised = normalize(raw, weigher.minval, weigher.maxval)
            if not any(normalised):
                continue  # every host weighs 0 here: the multipliers do not matter
            multipliers = weigher.weight_multipliers(hosts, config)
            totals = [t + m * v for t, m, v in zip(totals, multipliers, normalised, strict=True)]
            if LOG.isEnabledFor(logging.DEBUG):
                LOG.debug(
                    "%s raw weights %s", weigher.name, dict(zip((h.name for h in hosts), raw, strict=True))
                )
    order = range(len(hosts))
    rank = lambda i: (-totals[i], hosts[i].name)  # noqa: E731
    best = heapq.nsmallest(limit, order, key=rank) if limit is not None else sorted(order, key=rank)
    return [WeighedHost(hosts[i], totals[i]) for i in best]
