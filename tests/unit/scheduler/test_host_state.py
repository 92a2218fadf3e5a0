"""build_host_states and HostState: capacity, usage, ratios, reservations, zones and consume()."""

from __future__ import annotations

import logging

import pytest

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.host_state import HostState, NodeInfo, PlacedServer, build_host_states
from tests.unit.scheduler.factories import make_aggregate, make_host, make_spec


def node(name: str, *, cpu: float = 8.0, schedulable: bool = True, ready: bool = True) -> NodeInfo:
    return NodeInfo(name=name, cpu=cpu, memory_mb=16384, disk_gb=100, schedulable=schedulable, ready=ready)


def by_name(states: list[HostState]) -> dict[str, HostState]:
    return {state.name: state for state in states}


def test_one_host_state_per_node_in_node_order_with_node_facts() -> None:
    states = build_host_states(
        [node("b", cpu=3.9, schedulable=False), node("a", ready=False)], [], [], SchedulerConfig()
    )
    assert [s.name for s in states] == ["b", "a"]
    b, a = states
    assert (b.total_vcpus, b.total_memory_mb, b.total_disk_gb) == (3.9, 16384, 100)
    assert (b.enabled, b.up) == (False, True)
    assert (a.enabled, a.up) == (True, False)
    assert (a.num_instances, a.instance_uids) == (0, set())


def test_placed_servers_are_counted_on_their_host_once_and_unknown_hosts_are_ignored() -> None:
    placed = [
        PlacedServer("s1", "a", 2, 2048, 20),
        PlacedServer("s2", "a", 1, 512, 5),
        PlacedServer("s1", "a", 2, 2048, 20),
        PlacedServer("s3", "gone", 4, 4096, 40),
    ]
    a = build_host_states([node("a")], placed, [], SchedulerConfig())[0]
    assert (a.used_vcpus, a.used_memory_mb, a.used_disk_gb) == (3, 2560, 25)
    assert (a.num_instances, a.instance_uids) == (2, {"s1", "s2"})


def test_global_ratios_apply_to_hosts_outside_any_ratio_aggregate() -> None:
    config = SchedulerConfig(cpu_allocation_ratio=2.0, ram_allocation_ratio=1.5, disk_allocation_ratio=1.0)
    a = build_host_states([node("a")], [PlacedServer("s1", "a", 4, 4096, 10)], [], config)[0]
    assert (a.cpu_allocation_ratio, a.ram_allocation_ratio, a.disk_allocation_ratio) == (2.0, 1.5, 1.0)
    assert a.free_vcpus == 8 * 2.0 - 4
    assert a.free_ram_mb == 16384 * 1.5 - 4096
    assert a.free_disk_gb == 100 - 10


def test_aggregate_ratios_override_the_global_ratio_for_member_hosts_only() -> None:
    aggregates = [
        make_aggregate("hpc", ("a",), cpu_allocation_ratio="1.0", ram_allocation_ratio="0.9"),
        make_aggregate("dense", ("b",), disk_allocation_ratio="2.0"),
    ]
    states = by_name(build_host_states([node("a"), node("b"), node("c")], [], aggregates, SchedulerConfig()))
    assert (states["a"].cpu_allocation_ratio, states["a"].ram_allocation_ratio) == (1.0, 0.9)
    assert states["a"].free_vcpus == 8.0
    assert (states["b"].cpu_allocation_ratio, states["b"].disk_allocation_ratio) == (4.0, 2.0)
    assert states["b"].free_disk_gb == 200
    assert states["c"].cpu_allocation_ratio == 4.0


def test_a_host_in_several_ratio_aggregates_gets_the_minimum_ratio() -> None:
    aggregates = [
        make_aggregate("x", ("a",), cpu_allocation_ratio="16"),
        make_aggregate("y", ("a",), cpu_allocation_ratio="2.5"),
    ]
    a = build_host_states([node("a")], [], aggregates, SchedulerConfig())[0]
    assert a.cpu_allocation_ratio == 2.5


def test_an_unparsable_aggregate_ratio_falls_back_and_is_noted(caplog: pytest.LogCaptureFixture) -> None:
    aggregates = [make_aggregate("typo", ("a",), ram_allocation_ratio="1,5")]
    with caplog.at_level(logging.WARNING, logger="kubenova.scheduler.host_state"):
        a = build_host_states([node("a")], [], aggregates, SchedulerConfig(ram_allocation_ratio=1.0))[0]
    assert a.ram_allocation_ratio == 1.0
    assert a.notes == ["aggregate 'typo': ram_allocation_ratio='1,5' is not a positive number; ignored"]
    assert "ram_allocation_ratio='1,5'" in caplog.text


def test_reservations_are_taken_off_capacity_before_the_ratio() -> None:
    config = SchedulerConfig(
        cpu_allocation_ratio=2.0,
        reserved_host_cpus=2,
        reserved_host_memory_mb=1024,
        reserved_host_disk_mb=1536,
    )
    a = build_host_states([node("a")], [], [], config)[0]
    assert (a.reserved_vcpus, a.reserved_memory_mb, a.reserved_disk_gb) == (2, 1024, 2)
    assert a.free_vcpus == (8 - 2) * 2.0
    assert a.free_ram_mb == 16384 - 1024
    assert a.free_disk_gb == 100 - 2


@pytest.mark.parametrize(
    ("aggregate_zones", "zone"),
    [([], "nova"), ([None], "nova"), (["az1"], "az1"), ([None, "az2"], "az2")],
)
def test_a_host_is_in_its_aggregates_zone_else_the_default_zone(
    aggregate_zones: list[str | None], zone: str
) -> None:
    aggregates = [make_aggregate(f"agg{i}", ("a",), zone=z) for i, z in enumerate(aggregate_zones)]
    a = build_host_states([node("a")], [], aggregates, SchedulerConfig())[0]
    assert a.availability_zone == zone
    assert len(a.aggregates) == len(aggregate_zones)


def test_the_default_zone_is_configurable() -> None:
    a = build_host_states([node("a")], [], [], SchedulerConfig(default_availability_zone="home"))[0]
    assert a.availability_zone == "home"


def test_conflicting_zones_resolve_by_aggregate_name_and_are_noted() -> None:
    aggregates = [make_aggregate("zeta", ("a",), zone="z"), make_aggregate("alpha", ("a",), zone="y")]
    a = build_host_states([node("a")], [], aggregates, SchedulerConfig())[0]
    assert a.availability_zone == "y"
    assert any("several availability zones" in note for note in a.notes)


def test_consume_accounts_vcpus_ram_disk_count_and_uid() -> None:
    host = make_host(
        used_vcpus=1, used_memory_mb=1024, used_disk_gb=10, num_instances=1, instance_uids={"old"}
    )
    host.consume(make_spec("new", vcpus=2, memory_mb=2048, root_gb=20, ephemeral_gb=5, swap_mb=512))
    assert (host.used_vcpus, host.used_memory_mb, host.used_disk_gb) == (3, 3072, 36)
    assert host.num_instances == 2
    assert host.instance_uids == {"old", "new"}


def test_metadata_merges_all_aggregates_of_the_host() -> None:
    host = make_host(aggregates=[make_aggregate("a", ssd="true"), make_aggregate("b", ssd="false", gpu="1")])
    assert host.metadata == {"ssd": {"true", "false"}, "gpu": {"1"}}
