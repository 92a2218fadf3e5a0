"""SchedulerConfig carries Nova's defaults and refuses nonsense at start-up."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova.scheduler.config import DEFAULT_FILTERS, SchedulerConfig


def test_defaults_are_novas_defaults() -> None:
    config = SchedulerConfig()
    assert (config.cpu_allocation_ratio, config.ram_allocation_ratio, config.disk_allocation_ratio) == (
        4.0,
        1.0,
        1.0,
    )
    assert config.default_availability_zone == "nova"
    assert config.max_instances_per_host == 50
    assert config.num_instances_weight_multiplier == 0.0
    assert config.host_subset_size == 1
    assert config.enabled_filters == DEFAULT_FILTERS
    assert DEFAULT_FILTERS[0] == "ComputeFilter"


@pytest.mark.parametrize(
    "overrides",
    [
        {"cpu_allocation_ratio": 0.0},
        {"ram_allocation_ratio": -1.0},
        {"disk_allocation_ratio": 0},
        {"reserved_host_memory_mb": -1},
        {"reserved_host_cpus": -2},
        {"reserved_host_disk_mb": -512},
        {"max_instances_per_host": -1},
        {"host_subset_size": 0},
        {"default_availability_zone": ""},
    ],
)
def test_invalid_values_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(overrides))):
        SchedulerConfig(**overrides)


def test_num_instances_filter_is_off_by_default_as_in_nova_but_can_be_enabled() -> None:
    # 250 of 750 creates on 10 large Nodes failed NoValidHost while it was on by default.
    assert "NumInstancesFilter" not in DEFAULT_FILTERS
    for name in ("ComputeFilter", "ServerGroupAntiAffinityFilter", "ServerGroupAffinityFilter"):
        assert name in DEFAULT_FILTERS
    enabled = SchedulerConfig(enabled_filters=(*DEFAULT_FILTERS, "NumInstancesFilter"))
    assert enabled.enabled_filters[-1] == "NumInstancesFilter"
