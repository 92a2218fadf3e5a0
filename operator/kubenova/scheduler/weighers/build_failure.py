"""BuildFailureWeigher: avoid hosts where builds have failed (Nova's default multiplier 1000000).

Nova counts consecutive build failures per compute node in memory of nova-compute and resets
the count on a successful build. kubenova derives it from the Servers so it survives a restart:
the servers on the host in ERROR that never became ACTIVE (``io_ops.is_failed_build``). The count
falls when such a server is deleted or rebuilt, not when another build succeeds. The multiplier
(``build_failure_weight_multiplier``, aggregate metadata of that name overrides) is negated, so
failures lower a host's weight.
"""

from __future__ import annotations

from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.weighers.base import HostWeigher


class BuildFailureWeigher(HostWeigher):
    """Weight = failed builds on the host, with the multiplier negated."""

    multiplier_option = "build_failure_weight_multiplier"
    negated = True

    def _weigh_object(self, host: HostState, spec: RequestSpec) -> float:
        return float(host.failed_builds)
