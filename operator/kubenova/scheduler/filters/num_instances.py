"""NumInstancesFilter: no more than ``max_instances_per_host`` servers on one host.

The limit is configuration, so the filter is built with the ``SchedulerConfig``.
"""

from __future__ import annotations

from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec


class NumInstancesFilter(HostFilter):
    """Pass hosts with fewer than ``max_instances_per_host`` servers."""

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        limit = self.config.max_instances_per_host
        if host.num_instances < limit:
            return None
        return f"has {host.num_instances} servers, the limit is {limit}"
