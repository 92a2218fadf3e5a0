"""select_destination(s): filter, weigh, pick, consume — and explain failures with per-filter counts."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from kubenova.scheduler.config import DEFAULT_FILTERS, SchedulerConfig
from kubenova.scheduler.errors import Rejection
from kubenova.scheduler.host_state import HostState, NodeInfo, PlacedServer, build_host_states
from kubenova.scheduler.selection import NoValidHost, select_destination, select_destinations
from tests.unit.scheduler.factories import make_aggregate, make_host, make_spec

CONFIG = SchedulerConfig()


def usage(hosts: list[HostState]) -> dict[str, tuple[int, int, int, int]]:
    return {h.name: (h.used_vcpus, h.used_memory_mb, h.used_disk_gb, h.num_instances) for h in hosts}


def test_the_best_weighed_host_is_chosen_and_consumed() -> None:
    hosts = [make_host("busy", used_memory_mb=8192, used_vcpus=4), make_host("idle")]
    chosen = select_destination(make_spec("s1", vcpus=2, memory_mb=1024, root_gb=10), hosts, CONFIG)
    assert chosen is hosts[1]
    assert usage(hosts) == {"busy": (4, 8192, 0, 0), "idle": (2, 1024, 10, 1)}
    assert "s1" in chosen.instance_uids


def test_no_valid_host_says_how_many_hosts_each_filter_removed() -> None:
    hosts = [
        make_host("a", total_memory_mb=1024),
        make_host("b", total_memory_mb=2048),
        make_host("c", enabled=False),
    ]
    with pytest.raises(NoValidHost) as caught:
        select_destination(make_spec(memory_mb=4096), hosts, CONFIG)
    error = caught.value
    assert error.message == "No valid host was found."
    assert error.details == (
        "Filter results: ComputeFilter: (start: 3, end: 2), AvailabilityZoneFilter: (start: 2, end: 2), "
        "RamFilter: (start: 2, end: 0)"
    )
    assert error.filter_counts == [
        ("ComputeFilter", 3, 2),
        ("AvailabilityZoneFilter", 2, 2),
        ("RamFilter", 2, 0),
    ]
    assert str(error) == f"No valid host was found. {error.details}"
    assert [(r.filter_name, r.host) for r in error.rejections] == [
        ("ComputeFilter", "c"),
        ("RamFilter", "a"),
        ("RamFilter", "b"),
    ]
    assert usage(hosts) == {"a": (0, 0, 0, 0), "b": (0, 0, 0, 0), "c": (0, 0, 0, 0)}


def test_no_hosts_at_all_is_a_no_valid_host_without_filter_counts() -> None:
    with pytest.raises(NoValidHost, match="There are no compute hosts") as caught:
        select_destination(make_spec(), [], CONFIG)
    assert caught.value.filter_counts == []


def test_filters_run_in_the_configured_order_and_only_those_enabled() -> None:
    hosts = [make_host("small", total_memory_mb=256, enabled=False)]
    config = SchedulerConfig(enabled_filters=("RamFilter", "ComputeFilter"))
    with pytest.raises(NoValidHost) as caught:
        select_destination(make_spec(memory_mb=512), hosts, config)
    assert caught.value.filter_counts == [("RamFilter", 1, 0)]
    assert (
        select_destination(make_spec(memory_mb=512), hosts, SchedulerConfig(enabled_filters=())).name
        == "small"
    )


LIMITS: list[tuple[str, dict[str, Any], dict[str, Any], SchedulerConfig]] = [
    ("RamFilter", {"total_memory_mb": 10 * 1024}, {"memory_mb": 1024}, CONFIG),
    ("CoreFilter", {"total_vcpus": 5.0}, {"vcpus": 2}, SchedulerConfig(cpu_allocation_ratio=4.0)),
    ("DiskFilter", {"total_disk_gb": 65}, {"root_gb": 5, "swap_mb": 100}, CONFIG),
    (
        "NumInstancesFilter",
        {},
        {},
        SchedulerConfig(max_instances_per_host=10, enabled_filters=(*DEFAULT_FILTERS, "NumInstancesFilter")),
    ),
]


@pytest.mark.parametrize(
    ("bottleneck", "host_kw", "spec_kw", "config"), LIMITS, ids=[lim[0] for lim in LIMITS]
)
def test_fifty_requests_against_room_for_thirty_place_exactly_thirty_without_overcommit(
    bottleneck: str, host_kw: dict[str, Any], spec_kw: dict[str, Any], config: SchedulerConfig
) -> None:
    hosts = [make_host(name, **host_kw) for name in ("h1", "h2", "h3")]
    placed: list[str] = []
    failures: list[NoValidHost] = []
    for i in range(50):
        try:
            placed.append(select_destination(make_spec(f"s{i}", **spec_kw), hosts, config).name)
        except NoValidHost as error:
            failures.append(error)
    assert len(placed) == 30
    assert len(failures) == 20
    assert Counter(placed) == {"h1": 10, "h2": 10, "h3": 10}
    assert all(f.filter_counts[-1] == (bottleneck, 3, 0) for f in failures)
    for host in hosts:
        assert host.free_ram_mb >= 0
        assert host.free_vcpus >= 0
        assert host.free_disk_gb >= 0
        assert host.num_instances == 10


def test_negative_multipliers_stack_servers_on_one_host_before_the_next() -> None:
    config = SchedulerConfig(
        ram_weight_multiplier=-1.0, cpu_weight_multiplier=-1.0, disk_weight_multiplier=-1.0
    )
    hosts = [make_host(name, total_memory_mb=4096) for name in ("h1", "h2")]
    order = [select_destination(make_spec(f"s{i}", memory_mb=1024), hosts, config).name for i in range(8)]
    assert order == ["h1"] * 4 + ["h2"] * 4


def test_default_multipliers_spread_servers_across_hosts() -> None:
    hosts = [make_host(name, total_memory_mb=4096) for name in ("h1", "h2")]
    order = [select_destination(make_spec(f"s{i}", memory_mb=1024), hosts, CONFIG).name for i in range(4)]
    assert order == ["h1", "h2", "h1", "h2"]


def test_per_aggregate_ratios_limit_member_hosts_during_selection() -> None:
    nodes = [NodeInfo("strict", 4.0, 65536, 500), NodeInfo("loose", 4.0, 65536, 500)]
    aggregates = [
        make_aggregate("pinned", ("strict",), cpu_allocation_ratio="1.0"),
        make_aggregate("also", ("strict",), cpu_allocation_ratio="2.0"),
    ]
    hosts = build_host_states(nodes, [], aggregates, CONFIG)
    placed = Counter(select_destination(make_spec(f"s{i}"), hosts, CONFIG).name for i in range(20))
    assert placed == {"strict": 4, "loose": 16}
    with pytest.raises(NoValidHost, match=r"CoreFilter: \(start: 2, end: 0\)"):
        select_destination(make_spec("one-more"), hosts, CONFIG)


def test_the_requested_zone_is_honoured_end_to_end() -> None:
    nodes = [NodeInfo("n1", 8, 16384, 100), NodeInfo("n2", 8, 16384, 100), NodeInfo("n3", 8, 16384, 100)]
    hosts = build_host_states(nodes, [], [make_aggregate("edge", ("n2",), zone="edge")], CONFIG)
    picks = {
        select_destination(make_spec(f"s{i}", availability_zone="edge"), hosts, CONFIG).name for i in range(3)
    }
    assert picks == {"n2"}
    default_zone = {
        select_destination(make_spec(f"d{i}", availability_zone="nova"), hosts, CONFIG).name for i in range(4)
    }
    assert default_zone == {"n1", "n3"}
    with pytest.raises(NoValidHost, match=r"AvailabilityZoneFilter: \(start: 3, end: 0\)"):
        select_destination(make_spec(availability_zone="moon"), hosts, CONFIG)


def test_affinity_hints_follow_existing_servers() -> None:
    nodes = [NodeInfo("n1", 8, 16384, 100), NodeInfo("n2", 8, 16384, 100)]
    hosts = build_host_states(nodes, [PlacedServer("db", "n1", 1, 512, 1)], [], CONFIG)
    assert select_destination(make_spec("web", same_host=frozenset({"db"})), hosts, CONFIG).name == "n1"
    assert (
        select_destination(make_spec("cache", different_host=frozenset({"db", "web"})), hosts, CONFIG).name
        == "n2"
    )
    with pytest.raises(NoValidHost, match=r"DifferentHostFilter: \(start: 2, end: 0\)"):
        select_destination(make_spec("x", different_host=frozenset({"db", "cache"})), hosts, CONFIG)


def test_flavor_extra_specs_select_matching_aggregates() -> None:
    nodes = [NodeInfo("hdd", 8, 16384, 100), NodeInfo("ssd", 8, 16384, 100)]
    hosts = build_host_states(nodes, [], [make_aggregate("fast", ("ssd",), ssd="true")], CONFIG)
    spec = make_spec(flavor_extra_specs={"aggregate_instance_extra_specs:ssd": "true"})
    assert select_destination(spec, hosts, CONFIG).name == "ssd"


class TestForcedHost:
    """``zone:host`` bypasses the filters except zone and resources, as Nova with Placement does."""

    def hosts(self) -> list[HostState]:
        return [
            make_host("a", availability_zone="az1"),
            make_host("b", availability_zone="az1", enabled=False, num_instances=50, instance_uids={"db"}),
            make_host("c", availability_zone="az2"),
        ]

    def test_the_forced_host_is_used_even_if_disabled_full_of_servers_or_against_hints(self) -> None:
        hosts = self.hosts()
        spec = make_spec(forced_host="b", availability_zone="az1", different_host=frozenset({"db"}))
        assert select_destination(spec, hosts, CONFIG) is hosts[1]
        assert hosts[1].num_instances == 51

    def test_the_forced_host_must_be_in_the_requested_zone(self) -> None:
        with pytest.raises(NoValidHost) as caught:
            select_destination(make_spec(forced_host="c", availability_zone="az1"), self.hosts(), CONFIG)
        assert caught.value.details == (
            "Filter results: ForcedHost: (start: 3, end: 1), AvailabilityZoneFilter: (start: 1, end: 0)"
        )

    def test_the_forced_host_must_still_have_room(self) -> None:
        with pytest.raises(NoValidHost) as caught:
            select_destination(make_spec(forced_host="a", memory_mb=32768), self.hosts(), CONFIG)
        assert caught.value.filter_counts == [
            ("ForcedHost", 3, 1),
            ("AvailabilityZoneFilter", 1, 1),
            ("RamFilter", 1, 0),
        ]

    def test_an_unknown_forced_host_is_no_valid_host(self) -> None:
        with pytest.raises(NoValidHost) as caught:
            select_destination(make_spec(forced_host="zz"), self.hosts(), CONFIG)
        assert caught.value.details == "Filter results: ForcedHost: (start: 3, end: 0)"
        assert caught.value.rejections == [Rejection("ForcedHost", "zz", "not a known compute host")]


class TestHostSubset:
    """With host_subset_size N the pick is random among the best N, drawn from the given rng."""

    def hosts(self) -> list[HostState]:
        return [
            make_host("best"),
            make_host("second", used_memory_mb=1024),
            make_host("worst", used_memory_mb=8192),
        ]

    def test_picks_come_only_from_the_top_n(self) -> None:
        config = SchedulerConfig(host_subset_size=2)
        rng = random.Random(7)
        picks = Counter(
            select_destination(make_spec(memory_mb=1), self.hosts(), config, rng=rng).name for _ in range(200)
        )
        assert set(picks) == {"best", "second"}

    def test_the_same_seed_gives_the_same_picks(self) -> None:
        config = SchedulerConfig(host_subset_size=3)

        def run(seed: int) -> list[str]:
            rng = random.Random(seed)
            return [
                select_destination(make_spec(memory_mb=1), self.hosts(), config, rng=rng).name
                for _ in range(20)
            ]

        assert run(1) == run(1)
        assert len(set(run(1))) > 1

    def test_a_subset_larger_than_the_candidates_is_fine(self) -> None:
        config = SchedulerConfig(host_subset_size=10)
        chosen = select_destination(make_spec(), [make_host("only")], config, rng=random.Random(0))
        assert chosen.name == "only"


class TestSelectDestinations:
    """Multi-instance requests consume between picks and are all-or-nothing."""

    def test_every_instance_gets_a_host_and_later_picks_see_earlier_ones(self) -> None:
        hosts = [make_host(name, total_memory_mb=2048) for name in ("h1", "h2")]
        chosen = select_destinations(make_spec(memory_mb=1024, num_instances=4), hosts, CONFIG)
        assert [h.name for h in chosen] == ["h1", "h2", "h1", "h2"]
        assert chosen[0] is hosts[0]
        assert usage(hosts) == {"h1": (2, 2048, 2, 2), "h2": (2, 2048, 2, 2)}

    def test_when_one_instance_does_not_fit_nothing_is_consumed(self) -> None:
        hosts = [make_host(name, total_memory_mb=2048) for name in ("h1", "h2")]
        with pytest.raises(NoValidHost, match=r"RamFilter: \(start: 2, end: 0\)"):
            select_destinations(make_spec(memory_mb=1024, num_instances=5), hosts, CONFIG)
        assert usage(hosts) == {"h1": (0, 0, 0, 0), "h2": (0, 0, 0, 0)}
