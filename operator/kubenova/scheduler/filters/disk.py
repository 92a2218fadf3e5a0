"""DiskFilter: only hosts with enough free local disk for root + ephemeral + swap.

Local disk is the Node's allocatable ephemeral storage, in whole GiB.
"""

from __future__ import annotations

from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec


class DiskFilter(HostFilter):
    """Pass hosts whose free disk (GiB) fits the flavor's root + ephemeral + swap."""

    runs_on_forced_host = True

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        if host.free_disk_gb >= spec.disk_gb:
            return None
        return (
            f"has {host.free_disk_gb:g} GiB usable disk (ratio {host.disk_allocation_ratio:g}), "
            f"request needs {spec.disk_gb} GiB"
        )
