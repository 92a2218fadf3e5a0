"""Weights are normalised per weigher, multiplied, summed and sorted best first (nova/weights.py)."""

from __future__ import annotations

import pytest

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.weighers.cpu import CPUWeigher
from kubenova.scheduler.weighers.num_instances import NumInstancesWeigher
from kubenova.scheduler.weighers.ram import RAMWeigher
from kubenova.scheduler.weighers.registry import UnknownWeigherError, build_weighers
from kubenova.scheduler.weighers.weighing import normalize, weigh_hosts
from tests.unit.scheduler.factories import make_aggregate, make_host, make_spec


@pytest.mark.parametrize(
    ("values", "minval", "maxval", "expected"),
    [
        ([], None, None, []),
        ([5.0], None, None, [0.0]),
        ([3.0, 3.0], None, None, [0.0, 0.0]),
        ([0.0, 5.0, 10.0], None, None, [0.0, 0.5, 1.0]),
        ([2.0, 4.0, 6.0], None, None, [0.0, 0.5, 1.0]),
        ([2.0, 4.0, 8.0], 0.0, None, [0.25, 0.5, 1.0]),
        ([2.0, 4.0], 0.0, 8.0, [0.25, 0.5]),
    ],
)
def test_normalize_scales_between_min_and_max(
    values: list[float], minval: float | None, maxval: float | None, expected: list[float]
) -> None:
    assert normalize(values, minval, maxval) == pytest.approx(expected)


def ram_hosts() -> list[HostState]:
    return [
        make_host("half", used_memory_mb=8192),
        make_host("empty"),
        make_host("full", used_memory_mb=16384),
    ]


def test_a_positive_ram_multiplier_spreads_onto_the_emptiest_host() -> None:
    weighed = weigh_hosts(ram_hosts(), make_spec(), SchedulerConfig(), [RAMWeigher()])
    assert [(w.host.name, w.weight) for w in weighed] == [("empty", 1.0), ("half", 0.5), ("full", 0.0)]


def test_a_negative_ram_multiplier_stacks_onto_the_fullest_host() -> None:
    config = SchedulerConfig(ram_weight_multiplier=-1.0)
    weighed = weigh_hosts(ram_hosts(), make_spec(), config, [RAMWeigher()])
    assert [w.host.name for w in weighed] == ["full", "half", "empty"]
    assert [w.weight for w in weighed] == [0.0, -0.5, -1.0]


def test_the_multiplier_scales_the_normalised_weight() -> None:
    config = SchedulerConfig(ram_weight_multiplier=3.0)
    weighed = weigh_hosts(ram_hosts(), make_spec(), config, [RAMWeigher()])
    assert [w.weight for w in weighed] == [3.0, 1.5, 0.0]


def test_normalising_keeps_mib_from_drowning_out_vcpus() -> None:
    # "ram" has 1 MiB more free RAM; "cpu" has 8 more free vCPUs. Raw sums would pick "ram".
    hosts = [
        make_host("ram", used_memory_mb=0, used_vcpus=8),
        make_host("cpu", used_memory_mb=1, used_vcpus=0),
    ]
    config = SchedulerConfig(ram_weight_multiplier=1.0, cpu_weight_multiplier=1.0)
    weighed = weigh_hosts(hosts, make_spec(), config, [RAMWeigher(), CPUWeigher()])
    assert weighed[0].host.name == "cpu"
    assert weighed[0].weight == pytest.approx(1.0 + (16383 / 16384) * 1.0)


def test_equal_weights_are_ordered_by_host_name() -> None:
    hosts = [make_host("c"), make_host("a"), make_host("b")]
    weighed = weigh_hosts(hosts, make_spec(), SchedulerConfig(), build_weighers(SchedulerConfig()))
    assert [w.host.name for w in weighed] == ["a", "b", "c"]
    assert len({w.weight for w in weighed}) == 1


def test_a_single_candidate_is_not_weighed() -> None:
    weighed = weigh_hosts([make_host("only")], make_spec(), SchedulerConfig(), [RAMWeigher()])
    assert [(w.host.name, w.weight) for w in weighed] == [("only", 0.0)]


def test_num_instances_weigher_is_off_by_default_and_packs_when_positive() -> None:
    hosts = [make_host("idle"), make_host("busy", num_instances=5)]
    off = weigh_hosts(hosts, make_spec(), SchedulerConfig(), [NumInstancesWeigher()])
    assert [w.weight for w in off] == [0.0, 0.0]
    packing = SchedulerConfig(num_instances_weight_multiplier=2.0)
    assert weigh_hosts(hosts, make_spec(), packing, [NumInstancesWeigher()])[0].host.name == "busy"


def test_an_aggregate_multiplier_applies_to_its_hosts_only() -> None:
    stacking = make_aggregate("stack", ("full",), ram_weight_multiplier="-10")
    hosts = [make_host("empty"), make_host("full", used_memory_mb=8192, aggregates=[stacking])]
    weighed = weigh_hosts(hosts, make_spec(), SchedulerConfig(), [RAMWeigher()])
    # empty: 1.0 * 1.0; full: -10 * 0.5.
    assert [(w.host.name, w.weight) for w in weighed] == [("empty", 1.0), ("full", -5.0)]


def test_the_registry_builds_the_configured_weighers_and_refuses_unknown_ones() -> None:
    assert [w.name for w in build_weighers(SchedulerConfig())] == [
        "RAMWeigher",
        "CPUWeigher",
        "DiskWeigher",
        "NumInstancesWeigher",
        "ServerGroupSoftAffinityWeigher",
        "ServerGroupSoftAntiAffinityWeigher",
        "BuildFailureWeigher",
    ]
    with pytest.raises(UnknownWeigherError, match="CrossCellWeigher"):
        build_weighers(SchedulerConfig(enabled_weighers=("CrossCellWeigher",)))
