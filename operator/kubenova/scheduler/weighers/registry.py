"""Weighers by class name: turns ``SchedulerConfig.enabled_weighers`` into weigher objects."""

from __future__ import annotations

from collections.abc import Iterable

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.weighers.base import HostWeigher
from kubenova.scheduler.weighers.build_failure import BuildFailureWeigher
from kubenova.scheduler.weighers.cpu import CPUWeigher
from kubenova.scheduler.weighers.disk import DiskWeigher
from kubenova.scheduler.weighers.io_ops import IoOpsWeigher
from kubenova.scheduler.weighers.num_instances import NumInstancesWeigher
from kubenova.scheduler.weighers.ram import RAMWeigher
from kubenova.scheduler.weighers.server_group import (
    ServerGroupSoftAffinityWeigher,
    ServerGroupSoftAntiAffinityWeigher,
)

WEIGHERS: dict[str, type[HostWeigher]] = {
    cls.__name__: cls
    for cls in (
        RAMWeigher,
        CPUWeigher,
        DiskWeigher,
        NumInstancesWeigher,
        IoOpsWeigher,
        ServerGroupSoftAffinityWeigher,
        ServerGroupSoftAntiAffinityWeigher,
        BuildFailureWeigher,
    )
}


class UnknownWeigherError(ValueError):
    """``enabled_weighers`` names a weigher kubenova does not have."""


def build_weighers(config: SchedulerConfig, names: Iterable[str] | None = None) -> list[HostWeigher]:
    """Weigher objects for ``names`` (default: ``config.enabled_weighers``)."""
    wanted = tuple(config.enabled_weighers if names is None else names)
    unknown = [name for name in wanted if name not in WEIGHERS]
    if unknown:
        raise UnknownWeigherError(f"unknown scheduler weighers {unknown}; available: {sorted(WEIGHERS)}")
    return [WEIGHERS[name]() for name in wanted]
