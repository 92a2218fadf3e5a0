"""Filters by class name: turns ``SchedulerConfig.enabled_filters`` into filter objects."""

from __future__ import annotations

from collections.abc import Iterable

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.filters.affinity import DifferentHostFilter, SameHostFilter
from kubenova.scheduler.filters.aggregate_extra_specs import AggregateInstanceExtraSpecsFilter
from kubenova.scheduler.filters.aggregate_isolation import (
    AggregateImagePropertiesIsolation,
    AggregateMultiTenancyIsolation,
)
from kubenova.scheduler.filters.aggregate_num_instances import AggregateNumInstancesFilter
from kubenova.scheduler.filters.availability_zone import AvailabilityZoneFilter
from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.filters.compute import ComputeFilter
from kubenova.scheduler.filters.compute_capabilities import ComputeCapabilitiesFilter
from kubenova.scheduler.filters.cores import CoreFilter
from kubenova.scheduler.filters.disk import DiskFilter
from kubenova.scheduler.filters.image_properties import ImagePropertiesFilter
from kubenova.scheduler.filters.io_ops import AggregateIoOpsFilter, IoOpsFilter
from kubenova.scheduler.filters.isolated_hosts import IsolatedHostsFilter
from kubenova.scheduler.filters.num_instances import NumInstancesFilter
from kubenova.scheduler.filters.ram import RamFilter
from kubenova.scheduler.filters.server_group import ServerGroupAffinityFilter, ServerGroupAntiAffinityFilter

FILTERS: dict[str, type[HostFilter]] = {
    cls.__name__: cls
    for cls in (
        ComputeFilter,
        AvailabilityZoneFilter,
        RamFilter,
        CoreFilter,
        DiskFilter,
        AggregateInstanceExtraSpecsFilter,
        SameHostFilter,
        DifferentHostFilter,
        NumInstancesFilter,
        ServerGroupAntiAffinityFilter,
        ServerGroupAffinityFilter,
        ComputeCapabilitiesFilter,
        ImagePropertiesFilter,
        AggregateMultiTenancyIsolation,
        AggregateImagePropertiesIsolation,
        AggregateNumInstancesFilter,
        IsolatedHostsFilter,
        IoOpsFilter,
        AggregateIoOpsFilter,
    )
}


class UnknownFilterError(ValueError):
    """``enabled_filters`` names a filter kubenova does not have."""


def build_filters(config: SchedulerConfig, names: Iterable[str] | None = None) -> list[HostFilter]:
    """Filter objects for ``names`` (default: ``config.enabled_filters``), in that order."""
    wanted = tuple(config.enabled_filters if names is None else names)
    unknown = [name for name in wanted if name not in FILTERS]
    if unknown:
        raise UnknownFilterError(f"unknown scheduler filters {unknown}; available: {sorted(FILTERS)}")
    return [FILTERS[name](config) for name in wanted]
