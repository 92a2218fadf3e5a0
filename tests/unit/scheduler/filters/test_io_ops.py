"""IoOpsFilter/AggregateIoOpsFilter count builds and moves in flight; IoOpsWeigher weighs them."""

from __future__ import annotations

import pytest

from kubenova.resources.states import TaskState, VmState
from kubenova.scheduler.config import DEFAULT_FILTERS, SchedulerConfig
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.filters.io_ops import AggregateIoOpsFilter, IoOpsFilter
from kubenova.scheduler.host_state import NodeInfo, PlacedServer, build_host_states
from kubenova.scheduler.io_ops import is_io_workload
from kubenova.scheduler.selection import select_destination
from kubenova.scheduler.weighers.io_ops import IoOpsWeigher
from tests.unit.scheduler.factories import make_aggregate, make_host, make_spec


def test_novas_io_workload_states() -> None:
    assert is_io_workload(VmState.BUILDING, TaskState.SPAWNING)
    for task in (
        TaskState.RESIZE_MIGRATING,
        TaskState.REBUILDING,
        TaskState.IMAGE_SNAPSHOT,
        TaskState.UNSHELVING,
    ):
        assert is_io_workload(VmState.ACTIVE, task)
    assert not is_io_workload(VmState.ACTIVE, None)
    assert not is_io_workload(VmState.ACTIVE, TaskState.REBOOTING)


def test_placed_io_ops_are_counted_and_the_limit_refuses_with_a_reason() -> None:
    placed = [PlacedServer(f"s{i}", "n1", 1, 128, 1, io_op=i < 2) for i in range(4)]
    (state,) = build_host_states([NodeInfo("n1", 64.0, 65536, 500)], placed, [], SchedulerConfig())
    assert (state.num_instances, state.num_io_ops) == (4, 2)
    assert IoOpsFilter(SchedulerConfig(max_io_ops_per_host=3)).host_passes(state, make_spec())
    reason = IoOpsFilter(SchedulerConfig(max_io_ops_per_host=2)).rejection(state, make_spec())
    assert reason is not None
    assert "2 builds/moves in flight" in reason


def test_each_build_placed_in_a_pass_is_an_io_op_so_the_default_limit_of_8_holds() -> None:
    config = SchedulerConfig(enabled_filters=(*DEFAULT_FILTERS, "IoOpsFilter"))
    host = make_host(total_vcpus=64.0, total_memory_mb=65536)
    for i in range(8):
        select_destination(make_spec(f"s{i}"), [host], config)
    with pytest.raises(NoValidHost) as caught:
        select_destination(make_spec("s8"), [host], config)
    assert caught.value.filter_counts[-1] == ("IoOpsFilter", 1, 0)


def test_aggregate_limit_smallest_wins() -> None:
    aggregates = [make_aggregate("a", ("host1",), max_io_ops_per_host="4"), make_aggregate("b", ("host1",))]
    f = AggregateIoOpsFilter(SchedulerConfig())
    assert f.host_passes(make_host(aggregates=aggregates, num_io_ops=3), make_spec())
    assert not f.host_passes(make_host(aggregates=aggregates, num_io_ops=4), make_spec())
    assert not f.host_passes(make_host(num_io_ops=8), make_spec())


def test_weigher_prefers_quiet_hosts_with_novas_multiplier() -> None:
    config = SchedulerConfig(enabled_weighers=("IoOpsWeigher",))
    assert config.io_ops_weight_multiplier == -1.0
    busy, quiet = make_host("busy", num_io_ops=3), make_host("quiet", num_io_ops=1)
    assert IoOpsWeigher().weigh_objects([busy, quiet], make_spec()) == [3.0, 1.0]
    assert select_destination(make_spec(), [busy, quiet], config).name == "quiet"
