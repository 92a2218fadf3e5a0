"""DiskWeigher: prefer hosts with more free disk (spread); a negative multiplier stacks instead."""

from __future__ import annotations

from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.weighers.base import HostWeigher


class DiskWeigher(HostWeigher):
    """Weight = free disk in GiB after the allocation ratio; normalised from 0 as in Nova."""

    multiplier_option = "disk_weight_multiplier"
    minval = 0.0

    def _weigh_object(self, host: HostState, spec: RequestSpec) -> float:
        return host.free_disk_gb
