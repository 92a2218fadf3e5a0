"""ComputeFilter: only hosts whose compute service is enabled and up.

A cordoned Node is a disabled compute service (an admin took it out of scheduling); a Node that
is not Ready is a service that is down. Neither should get new servers.
"""

from __future__ import annotations

from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec


class ComputeFilter(HostFilter):
    """Pass hosts that are enabled (not cordoned) and up (Ready)."""

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        if not host.enabled:
            return "compute service is disabled (node cordoned)"
        if not host.up:
            return "compute service is down (node not Ready)"
        return None
