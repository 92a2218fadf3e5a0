"""BuildFailureWeigher steers new builds away from hosts where builds failed (on by default)."""

from __future__ import annotations

from kubenova.resources.states import VmState
from kubenova.scheduler.config import DEFAULT_WEIGHERS, SchedulerConfig
from kubenova.scheduler.host_state import NodeInfo, PlacedServer, build_host_states
from kubenova.scheduler.io_ops import is_failed_build
from kubenova.scheduler.selection import select_destination
from kubenova.scheduler.weighers.build_failure import BuildFailureWeigher
from tests.unit.scheduler.factories import make_aggregate, make_host, make_spec


def test_a_failed_build_is_an_error_that_never_ran() -> None:
    assert is_failed_build(VmState.ERROR, None)
    assert not is_failed_build(VmState.ERROR, "2026-01-01T00:00:00Z")
    assert not is_failed_build(VmState.ACTIVE, None)


def test_failed_builds_outweigh_free_resources_with_novas_multiplier() -> None:
    assert "BuildFailureWeigher" in DEFAULT_WEIGHERS
    nodes = [NodeInfo("big", 64.0, 131072, 1000), NodeInfo("small", 4.0, 8192, 50)]
    placed = [PlacedServer("bad", "big", 1, 128, 1, failed_build=True)]
    states = build_host_states(nodes, placed, [], SchedulerConfig())
    assert [s.failed_builds for s in states] == [1, 0]
    assert select_destination(make_spec(), states, SchedulerConfig()).name == "small"


def test_the_multiplier_is_negated_and_aggregates_override_it() -> None:
    weigher = BuildFailureWeigher()
    assert weigher.weight_multiplier(make_host(), SchedulerConfig()) == -1000000.0
    host = make_host(aggregates=[make_aggregate("a", ("host1",), build_failure_weight_multiplier="0")])
    assert weigher.weight_multiplier(host, SchedulerConfig()) == 0.0
    assert weigher.weigh_objects([make_host(failed_builds=2)], make_spec()) == [2.0]
