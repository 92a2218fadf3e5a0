"""ServerGroupSoftAffinityWeigher and ServerGroupSoftAntiAffinityWeigher: the soft server group
policies (Nova's ``weights/affinity.py``).

Both count the group's members on each host; soft-affinity prefers hosts with more, soft-anti-
affinity hosts with fewer. Neither removes a host, so a member is still placed when no host
fits the preference. Requests without a group, or with another policy, weigh 0 everywhere.
Multipliers: ``soft_affinity_weight_multiplier`` / ``soft_anti_affinity_weight_multiplier``
(Nova's defaults 1.0; aggregates may override them as for every weigher).
"""

from __future__ import annotations

from kubenova.scheduler import server_group
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.weighers.base import HostWeigher


class ServerGroupSoftAffinityWeigher(HostWeigher):
    """Weight = members of a soft-affinity group on the host."""

    multiplier_option = "soft_affinity_weight_multiplier"

    def weighs_nothing(self, spec: RequestSpec) -> bool:
        return spec.group is None or spec.group.policy != server_group.SOFT_AFFINITY

    def _weigh_object(self, host: HostState, spec: RequestSpec) -> float:
        return float(server_group.members_on(spec, host, server_group.SOFT_AFFINITY))


class ServerGroupSoftAntiAffinityWeigher(HostWeigher):
    """Weight = minus the members of a soft-anti-affinity group on the host."""

    multiplier_option = "soft_anti_affinity_weight_multiplier"

    def weighs_nothing(self, spec: RequestSpec) -> bool:
        return spec.group is None or spec.group.policy != server_group.SOFT_ANTI_AFFINITY

    def _weigh_object(self, host: HostState, spec: RequestSpec) -> float:
        return -float(server_group.members_on(spec, host, server_group.SOFT_ANTI_AFFINITY))
