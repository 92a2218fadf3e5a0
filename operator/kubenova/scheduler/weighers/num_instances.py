"""NumInstancesWeigher: weigh hosts by how many servers they run.

Off by default (multiplier 0.0, as in Nova). A positive multiplier packs servers onto busy
hosts; a negative one spreads them by count rather than by free resources.
"""

from __future__ import annotations

from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.weighers.base import HostWeigher


class NumInstancesWeigher(HostWeigher):
    """Weight = number of servers on the host."""

    multiplier_option = "num_instances_weight_multiplier"

    def _weigh_object(self, host: HostState, spec: RequestSpec) -> float:
        return float(host.num_instances)
