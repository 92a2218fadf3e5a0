"""SameHostFilter and DifferentHostFilter: the ``same_host``/``different_host`` hints.

Both compare the server uids in the hint with the servers already on the host (including those
placed earlier in the same pass). Without the hint, every host passes.
"""

from __future__ import annotations

from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec


class SameHostFilter(HostFilter):
    """Pass hosts running at least one of the servers named in ``same_host``."""

    def passes_all(self, spec: RequestSpec) -> bool:
        return not spec.same_host

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        if not spec.same_host or spec.same_host & host.instance_uids:
            return None
        return "runs none of the servers in the same_host hint"


class DifferentHostFilter(HostFilter):
    """Pass hosts running none of the servers named in ``different_host``."""

    def passes_all(self, spec: RequestSpec) -> bool:
        return not spec.different_host

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        clash = spec.different_host & host.instance_uids
        if not clash:
            return None
        return f"runs {', '.join(sorted(clash))} from the different_host hint"
