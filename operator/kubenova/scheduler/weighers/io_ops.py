"""IoOpsWeigher: weigh hosts by their I/O operations in flight (builds, resizes, rebuilds ...).

Nova's default multiplier -1.0 prefers hosts with lighter workloads; a positive one packs new
servers onto busy hosts. Aggregate metadata ``io_ops_weight_multiplier`` overrides it per host.
"""

from __future__ import annotations

from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.weighers.base import HostWeigher


class IoOpsWeigher(HostWeigher):
    """Weight = number of I/O operations on the host."""

    multiplier_option = "io_ops_weight_multiplier"

    def _weigh_object(self, host: HostState, spec: RequestSpec) -> float:
        return float(host.num_io_ops)
