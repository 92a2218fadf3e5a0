"""RAMWeigher: prefer hosts with more free RAM (spread); a negative multiplier stacks instead."""

from __future__ import annotations

from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.weighers.base import HostWeigher


class RAMWeigher(HostWeigher):
    """Weight = free RAM in MiB after the allocation ratio; normalised from 0 as in Nova."""

    multiplier_option = "ram_weight_multiplier"
    minval = 0.0

    def _weigh_object(self, host: HostState, spec: RequestSpec) -> float:
        return host.free_ram_mb
