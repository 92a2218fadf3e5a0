"""RamFilter: only hosts with enough free RAM, after the allocation ratio and reservation.

Free RAM is ``(total - reserved) * ram_allocation_ratio - used`` with the host's effective
ratio (an aggregate may lower or raise it), so RAM overcommit is an explicit choice.
"""

from __future__ import annotations

from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec


class RamFilter(HostFilter):
    """Pass hosts whose free RAM (MiB) fits the flavor's RAM."""

    runs_on_forced_host = True

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        if host.free_ram_mb >= spec.memory_mb:
            return None
        return (
            f"has {host.free_ram_mb:g} MiB usable RAM (ratio {host.ram_allocation_ratio:g}), "
            f"request needs {spec.memory_mb} MiB"
        )
