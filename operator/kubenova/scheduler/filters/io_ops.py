"""IoOpsFilter and AggregateIoOpsFilter: no new build on a host busy with too many I/O operations.

A host's I/O operations are its servers that are building, resizing, rebuilding, snapshotting,
rescuing or unshelving (``scheduler.io_ops``), plus the builds placed earlier in the same pass.
A host with ``max_io_ops_per_host`` (Nova's default 8) or more is refused; the aggregate variant
takes the limit from aggregate metadata ``max_io_ops_per_host`` (the smallest wins).
"""

from __future__ import annotations

from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec

KEY = "max_io_ops_per_host"


class IoOpsFilter(HostFilter):
    """Pass hosts with fewer than ``max_io_ops_per_host`` I/O operations in flight."""

    def limit(self, host: HostState) -> tuple[int, str]:
        return self.config.max_io_ops_per_host, "config"

    def rejection(self, host: HostState, spec: RequestSpec) -> str | None:
        limit, source = self.limit(host)
        if host.num_io_ops < limit:
            return None
        return f"has {host.num_io_ops} builds/moves in flight, the limit ({source}) is {limit}"


class AggregateIoOpsFilter(IoOpsFilter):
    """IoOpsFilter with the limit from the host's aggregates' ``max_io_ops_per_host``."""

    def limit(self, host: HostState) -> tuple[int, str]:
        resolved = host.aggregate_number(KEY, self.config.max_io_ops_per_host)
        return int(resolved.value), resolved.source
