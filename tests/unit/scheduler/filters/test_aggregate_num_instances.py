"""AggregateNumInstancesFilter: the smallest aggregate max_instances_per_host, else the config."""

from __future__ import annotations

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.filters.aggregate_num_instances import AggregateNumInstancesFilter
from tests.unit.scheduler.factories import make_aggregate, make_host, make_spec


def test_aggregate_limit_overrides_config_and_smallest_wins() -> None:
    aggregates = [
        make_aggregate("a", ("host1",), max_instances_per_host="5"),
        make_aggregate("b", ("host1",), max_instances_per_host="3"),
        make_aggregate("c", ("host1",), max_instances_per_host="lots"),
    ]
    f = AggregateNumInstancesFilter(SchedulerConfig(max_instances_per_host=50))
    assert f.host_passes(make_host(aggregates=aggregates, num_instances=2), make_spec())
    reason = f.rejection(make_host(aggregates=aggregates, num_instances=3), make_spec())
    assert reason is not None
    assert "3" in reason
    assert "'b'" in reason


def test_without_aggregate_metadata_the_configured_limit_applies() -> None:
    f = AggregateNumInstancesFilter(SchedulerConfig(max_instances_per_host=2))
    assert f.host_passes(make_host(num_instances=1), make_spec())
    assert not f.host_passes(make_host(num_instances=2), make_spec())
