"""CoreFilter: only hosts with enough free vCPUs, after the CPU allocation ratio.

vCPUs are overcommitted by default (ratio 4.0, Nova's historical default); an aggregate can set
its own ``cpu_allocation_ratio``, and the smallest one wins when several apply.
"""

from __future__ import annotations

from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec


class CoreFilter(HostFilter):
    """Pass hosts whose free vCPUs fit the flavor's vCPUs."""

    runs_on_forced_host = True

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        if host.free_vcpus >= spec.vcpus:
            return None
        return (
            f"has {host.free_vcpus:g} usable vCPUs (ratio {host.cpu_allocation_ratio:g}), "
            f"request needs {spec.vcpus}"
        )
