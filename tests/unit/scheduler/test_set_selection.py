"""A multi-create's members placed as one request: each pick sees the earlier ones, and when one
member finds no host none is placed (Nova's ``select_destinations`` for ``num_instances``)."""

from __future__ import annotations

import pytest

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.selection import NoValidHost
from kubenova.scheduler.server_group import GroupSpec
from kubenova.scheduler.set_selection import NOT_ENOUGH_HOSTS, select_for_set
from tests.unit.scheduler.factories import make_host, make_spec

CONFIG = SchedulerConfig()


def _usage(hosts: list[HostState]) -> dict[str, tuple[int, int, set[str]]]:
    return {h.name: (h.num_instances, h.used_memory_mb, set(h.instance_uids)) for h in hosts}


def _grouped(policy: str, count: int) -> list[RequestSpec]:
    """``count`` members of one group, each naming the others as members."""
    uids = [f"m{i}" for i in range(count)]
    return [make_spec(u, group=GroupSpec("g1", policy, frozenset(x for x in uids if x != u))) for u in uids]


def test_each_member_consumes_its_host_before_the_next_pick() -> None:
    hosts = [make_host(name, total_memory_mb=2048) for name in ("h1", "h2")]
    specs = [make_spec(f"m{i}", memory_mb=1024) for i in range(4)]
    chosen = select_for_set(specs, hosts, CONFIG)
    assert [h.name for h in chosen] == ["h1", "h2", "h1", "h2"]
    assert chosen[0] is hosts[0]
    assert _usage(hosts) == {"h1": (2, 2048, {"m0", "m2"}), "h2": (2, 2048, {"m1", "m3"})}


def test_members_of_different_sizes_are_each_counted_with_their_own() -> None:
    hosts = [make_host("h1", total_memory_mb=3072)]
    specs = [make_spec("big", memory_mb=2048), make_spec("small", memory_mb=1024)]
    assert [h.name for h in select_for_set(specs, hosts, CONFIG)] == ["h1", "h1"]
    assert hosts[0].used_memory_mb == 3072


def test_a_set_whose_first_members_fit_but_not_all_places_none() -> None:
    hosts = [make_host(name, total_memory_mb=2048) for name in ("h1", "h2")]
    specs = [make_spec(f"m{i}", memory_mb=1024) for i in range(5)]
    with pytest.raises(NoValidHost) as caught:
        select_for_set(specs, hosts, CONFIG)
    error = caught.value
    assert error.message == f"No valid host was found. {NOT_ENOUGH_HOSTS}"
    assert error.details.startswith("4 of the 5 instances of the request found a host. Filter results: ")
    assert "RamFilter: (start: 2, end: 0)" in error.details
    assert _usage(hosts) == {"h1": (0, 0, set()), "h2": (0, 0, set())}


def test_anti_affinity_holds_across_the_members_of_the_set() -> None:
    hosts = [make_host(f"h{i}") for i in range(3)]
    chosen = select_for_set(_grouped("anti-affinity", 3), hosts, CONFIG)
    assert sorted(h.name for h in chosen) == ["h0", "h1", "h2"]


def test_anti_affinity_one_member_too_many_refuses_the_whole_set() -> None:
    hosts = [make_host(f"h{i}") for i in range(2)]
    with pytest.raises(NoValidHost, match="ServerGroupAntiAffinityFilter: \\(start: 2, end: 0\\)"):
        select_for_set(_grouped("anti-affinity", 3), hosts, CONFIG)
    assert all(h.num_instances == 0 for h in hosts)


def test_affinity_puts_the_whole_set_on_one_host() -> None:
    hosts = [make_host(f"h{i}") for i in range(3)]
    assert len({h.name for h in select_for_set(_grouped("affinity", 3), hosts, CONFIG)}) == 1


def test_an_empty_set_places_nothing() -> None:
    hosts = [make_host("h1")]
    assert select_for_set([], hosts, CONFIG) == []
    assert hosts[0].num_instances == 0
