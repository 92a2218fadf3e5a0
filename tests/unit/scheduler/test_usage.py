"""HostUsage keeps per-host totals one placement at a time; HostStateCache reuses host states."""

from __future__ import annotations

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.host_cache import HostStateCache
from kubenova.scheduler.host_state import NodeInfo, build_host_states
from kubenova.scheduler.usage import HostUsage, PlacedServer
from tests.unit.scheduler.factories import make_aggregate


def test_totals_follow_placements_as_they_appear_change_and_disappear() -> None:
    usage = HostUsage([PlacedServer("a", "n1", 2, 1024, 10, io_op=True), PlacedServer("b", "n1", 1, 512, 5)])
    totals = usage.totals("n1")
    assert totals is not None
    assert (totals.vcpus, totals.memory_mb, totals.disk_gb, totals.instances, totals.io_ops) == (
        3,
        1536,
        15,
        2,
        1,
    )
    assert totals.uids == {"a", "b"}
    usage.put(PlacedServer("a", "n2", 4, 2048, 20, failed_build=True))  # moved and grown
    moved, stayed = usage.totals("n2"), usage.totals("n1")
    assert moved is not None
    assert stayed is not None
    assert (moved.vcpus, moved.failed_builds, moved.uids) == (4, 1, {"a"})
    assert (stayed.vcpus, stayed.io_ops, stayed.uids) == (1, 0, {"b"})
    assert usage.drop("b") == PlacedServer("b", "n1", 1, 512, 5)
    assert usage.totals("n1") is None  # nothing left there
    assert usage.drop("b") is None
    assert [p.uid for p in usage] == ["a"]


def test_a_uid_set_handed_out_is_never_changed_afterwards() -> None:
    usage = HostUsage([PlacedServer("a", "n1", 1, 1, 1)])
    totals = usage.totals("n1")
    assert totals is not None
    handed_out = totals.uids
    usage.put(PlacedServer("b", "n1", 1, 1, 1))
    assert handed_out == {"a"}


def test_cached_host_states_are_rebuilt_only_when_nodes_or_aggregates_change() -> None:
    config = SchedulerConfig()
    cache = HostStateCache(config)
    nodes = [
        NodeInfo("n1", cpu=4, memory_mb=4096, disk_gb=40),
        NodeInfo("n2", cpu=4, memory_mb=4096, disk_gb=40),
    ]
    aggregates = [make_aggregate("fast", ("n1",), zone="az1", cpu_allocation_ratio="2.0")]
    usage = HostUsage([PlacedServer("a", "n1", 3, 1024, 10)])
    first = cache.states(nodes, aggregates, usage)
    assert [(s.name, s.availability_zone, s.cpu_allocation_ratio, s.used_vcpus) for s in first] == [
        ("n1", "az1", 2.0, 3),
        ("n2", "nova", 4.0, 0),
    ]
    first[0].used_vcpus = 99  # what a decision consumed is overwritten by the next one
    usage.put(PlacedServer("b", "n2", 1, 512, 5))
    second = cache.states(list(nodes), list(aggregates), usage)
    assert second[0] is first[0]  # same Nodes and Aggregates: the states are reused ...
    assert [(s.used_vcpus, s.num_instances) for s in second] == [(3, 1), (1, 1)]  # ... with fresh usage
    moved = [make_aggregate("fast", ("n2",), zone="az1", cpu_allocation_ratio="2.0")]
    third = cache.states(nodes, moved, usage)
    assert [(s.availability_zone, s.cpu_allocation_ratio) for s in third] == [("nova", 4.0), ("az1", 2.0)]
    expected = build_host_states(nodes, usage, moved, config)
    assert [(s.name, s.used_vcpus, s.instance_uids) for s in third] == [
        (s.name, s.used_vcpus, s.instance_uids) for s in expected
    ]
