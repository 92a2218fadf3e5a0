"""AvailabilityZoneFilter: only hosts in the zone the request asked for.

A host's zone comes from the zoned aggregate holding it, else the default zone (see
``host_state``). A request without a zone may land anywhere, as in Nova when
``default_schedule_zone`` is unset.
"""

from __future__ import annotations

from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec


class AvailabilityZoneFilter(HostFilter):
    """Pass hosts whose availability zone is the requested one (any host if none requested)."""

    runs_on_forced_host = True

    def passes_all(self, spec: RequestSpec) -> bool:
        return spec.availability_zone is None

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        if spec.availability_zone is None or spec.availability_zone == host.availability_zone:
            return None
        return f"host is in zone {host.availability_zone!r}, request asks for {spec.availability_zone!r}"
