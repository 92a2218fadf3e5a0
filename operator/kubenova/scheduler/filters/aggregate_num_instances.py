"""AggregateNumInstancesFilter: NumInstancesFilter with a per-aggregate limit.

Aggregate metadata ``max_instances_per_host`` overrides the configured limit; when the host's
aggregates set several, the smallest wins (Nova's ``validate_num_values``); values that are not
numbers are ignored.
"""

from __future__ import annotations

from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec

KEY = "max_instances_per_host"


class AggregateNumInstancesFilter(HostFilter):
    """Pass hosts with fewer servers than their aggregates' (or the configured) limit."""

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        resolved = host.aggregate_number(KEY, self.config.max_instances_per_host)
        limit = int(resolved.value)
        if host.num_instances < limit:
            return None
        return f"has {host.num_instances} servers, the limit ({resolved.source}) is {limit}"
