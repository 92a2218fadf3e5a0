"""Pick a host for a request: filter, weigh, choose, consume (Nova's ``FilterScheduler``).

Filters run in ``enabled_filters`` order; the number of hosts before and after each one is
recorded, so a failure says exactly which filter emptied the list. A forced host (``zone:host``)
skips the filters except the zone and resource checks, as Nova's forced hosts skip filters but
not Placement. The chosen host's state is updated with ``consume`` so the caller can reuse the
same host states for the next request without overcommitting.
"""

from __future__ import annotations

import copy
import logging
import random
from collections.abc import Sequence

from kubenova.scheduler import server_group
from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.errors import NoValidHost, Rejection, format_filter_counts
from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.filters.registry import build_filters
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.weighers.registry import build_weighers
from kubenova.scheduler.weighers.weighing import WeighedHost, weigh_hosts

__all__ = [
    "FORCED_HOST_STEP",
    "NoValidHost",
    "filter_hosts",
    "select_destination",
    "select_destinations",
    "validate_host",
]

LOG = logging.getLogger(__name__)

FORCED_HOST_STEP = "ForcedHost"
"""Name of the step that narrows the hosts to the forced one, as it appears in filter counts."""


def select_destination(
    spec: RequestSpec,
    hosts: Sequence[HostState],
    config: SchedulerConfig,
    *,
    rng: random.Random | None = None,
) -> HostState:
    """The best host for one instance of ``spec``; its state is updated with ``consume``.

    ``spec.num_instances`` is not looked at: use ``select_destinations`` for several.

    With ``config.host_subset_size`` > 1 the host is drawn from the best N using ``rng``
    (to spread concurrent schedulers); otherwise the best host, ties broken by name.
    Raises ``NoValidHost`` when no host passes.
    """
    candidates = filter_hosts(spec, hosts, config)
    weighed = weigh_hosts(
        candidates, spec, config, build_weighers(config), limit=max(1, config.host_subset_size)
    )
    chosen = _pick(weighed, config.host_subset_size, rng)
    chosen.consume(spec)
    LOG.debug("Selected host %s for %s", chosen.name, spec.instance_uid)
    return chosen


def select_destinations(
    spec: RequestSpec,
    hosts: Sequence[HostState],
    config: SchedulerConfig,
    *,
    rng: random.Random | None = None,
) -> list[HostState]:
    """Hosts for all ``spec.num_instances`` instances, or ``NoValidHost`` and no change at all.

    Picks are planned on copies of the host states, consuming between picks so later instances
    see earlier ones; only when every instance fits are the real host states consumed.
    """
    planning = copy.deepcopy(list(hosts))
    picked = [select_destination(spec, planning, config, rng=rng).name for _ in range(spec.num_instances)]
    by_name = {host.name: host for host in hosts}
    chosen = [by_name[name] for name in picked]
    for host in chosen:
        host.consume(spec)
    return chosen


def filter_hosts(spec: RequestSpec, hosts: Sequence[HostState], config: SchedulerConfig) -> list[HostState]:
    """The hosts that pass every enabled filter, in input order; ``NoValidHost`` if none."""
    if not hosts:
        raise NoValidHost("There are no compute hosts.")
    filters = build_filters(config)
    spec = server_group.with_hosts(spec, hosts)  # where the group's members run, before filtering
    candidates = list(hosts)
    counts: list[tuple[str, int, int]] = []
    rejections: list[Rejection] = []
    if spec.forced_host is not None:
        candidates = [host for host in candidates if host.name == spec.forced_host]
        counts.append((FORCED_HOST_STEP, len(hosts), len(candidates)))
        filters = [f for f in filters if f.runs_on_forced_host]
        if not candidates:
            rejections.append(Rejection(FORCED_HOST_STEP, spec.forced_host, "not a known compute host"))
            raise _no_valid_host(counts, rejections)
    return _run_filters(filters, candidates, spec, counts, rejections)


def validate_host(spec: RequestSpec, hosts: Sequence[HostState], config: SchedulerConfig) -> None:
    """Nova's check of a rebuild to a new image: ``spec.forced_host`` (the server's own host)
    through the enabled filters that run on rebuild (``runs_on_rebuild``: the image's checks;
    Nova's ``_nova_check_type: rebuild`` makes the others pass every host). ``NoValidHost``
    naming the filter that refused it, else ``None``. Reads ``hosts``, consumes nothing: a
    rebuild keeps its host and its claim.
    """
    host = spec.forced_host or ""
    candidates = [state for state in hosts if state.name == host]
    counts = [(FORCED_HOST_STEP, len(hosts), len(candidates))]
    rejections: list[Rejection] = []
    if not candidates:
        rejections.append(Rejection(FORCED_HOST_STEP, host, "not a known compute host"))
        raise _no_valid_host(counts, rejections)
    filters = [f for f in build_filters(config) if f.runs_on_rebuild]
    _run_filters(filters, candidates, spec, counts, rejections)


def _run_filters(
    filters: Sequence[HostFilter],
    candidates: list[HostState],
    spec: RequestSpec,
    counts: list[tuple[str, int, int]],
    rejections: list[Rejection],
) -> list[HostState]:
    for host_filter in filters:
        start = len(candidates)
        outcome = host_filter.filter_all(candidates, spec)
        candidates = outcome.passed
        rejections.extend(outcome.rejected)
        counts.append((host_filter.name, start, len(candidates)))
        LOG.debug("Filter %s returned %d host(s)", host_filter.name, len(candidates))
        if not candidates:
            # Like Nova, stop at the filter that emptied the list: later counts would all be 0.
            raise _no_valid_host(counts, rejections)
    return candidates


def _no_valid_host(counts: list[tuple[str, int, int]], rejections: list[Rejection]) -> NoValidHost:
    details = format_filter_counts(counts)
    LOG.info("No valid host: %s", details)
    return NoValidHost(details, filter_counts=counts, rejections=rejections)


def _pick(weighed: Sequence[WeighedHost], subset_size: int, rng: random.Random | None) -> HostState:
    subset = weighed[: max(1, min(subset_size, len(weighed)))]
    if len(subset) == 1:
        return subset[0].host
    return (rng or random.Random()).choice(subset).host
