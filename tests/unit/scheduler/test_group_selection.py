"""Server group policies end to end in the scheduler: members placed one after the other (as the
placement ledger does) on the same host states, each seeing the earlier ones."""

from __future__ import annotations

import pytest

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.host_state import HostState
from kubenova.scheduler.selection import NoValidHost, select_destination
from kubenova.scheduler.server_group import GroupSpec
from tests.unit.scheduler.factories import make_host, make_spec

CONFIG = SchedulerConfig()


def _place(policy: str, count: int, hosts: list[HostState], *, max_per_host: int = 1) -> list[str]:
    """Place ``count`` members one at a time; each member's group lists the earlier ones."""
    placed: list[str] = []
    for index in range(count):
        members = frozenset(f"m{i}" for i in range(index))
        group = GroupSpec("g1", policy, members, max_server_per_host=max_per_host)
        placed.append(select_destination(make_spec(f"m{index}", group=group), hosts, CONFIG).name)
    return placed


def _hosts(count: int = 3) -> list[HostState]:
    return [make_host(f"h{i}") for i in range(count)]


def test_anti_affinity_spreads_members_one_per_host_and_refuses_one_more() -> None:
    hosts = _hosts(3)
    assert sorted(_place("anti-affinity", 3, hosts)) == ["h0", "h1", "h2"]
    group = GroupSpec("g1", "anti-affinity", frozenset({"m0", "m1", "m2"}))
    with pytest.raises(NoValidHost) as caught:
        select_destination(make_spec("m3", group=group), hosts, CONFIG)
    assert "ServerGroupAntiAffinityFilter: (start: 3, end: 0)" in caught.value.details
    assert {r.filter_name for r in caught.value.rejections} == {"ServerGroupAntiAffinityFilter"}


def test_max_server_per_host_allows_that_many_members_per_host() -> None:
    hosts = _hosts(2)
    placed = _place("anti-affinity", 4, hosts, max_per_host=2)
    assert sorted(placed) == ["h0", "h0", "h1", "h1"]
    group = GroupSpec("g1", "anti-affinity", frozenset({"m0", "m1", "m2", "m3"}), max_server_per_host=2)
    with pytest.raises(NoValidHost, match="ServerGroupAntiAffinityFilter"):
        select_destination(make_spec("m4", group=group), hosts, CONFIG)


def test_affinity_puts_every_member_on_the_first_members_host() -> None:
    hosts = _hosts(3)
    placed = _place("affinity", 4, hosts)
    assert len(set(placed)) == 1  # the default weighers alone would spread them


def test_affinity_refuses_when_the_members_host_is_full() -> None:
    hosts = [make_host("h0", total_memory_mb=1024), make_host("h1")]
    hosts[0].instance_uids |= {"m0"}
    group = GroupSpec("g1", "affinity", frozenset({"m0"}))
    with pytest.raises(NoValidHost) as caught:
        select_destination(make_spec("m1", memory_mb=2048, group=group), hosts, CONFIG)
    assert caught.value.details.endswith("ServerGroupAffinityFilter: (start: 1, end: 0)")


def test_soft_anti_affinity_prefers_empty_hosts_but_does_not_refuse() -> None:
    hosts = _hosts(2)
    placed = _place("soft-anti-affinity", 4, hosts)
    assert sorted(placed) == ["h0", "h0", "h1", "h1"]


def test_soft_affinity_prefers_the_members_host_but_does_not_refuse() -> None:
    config = SchedulerConfig(soft_affinity_weight_multiplier=10.0)
    hosts = [make_host("h0", total_memory_mb=1024), make_host("h1"), make_host("h2")]
    hosts[1].instance_uids |= {"m0"}
    hosts[1].used_memory_mb = 8192  # the RAM weigher alone would pick h2
    group = GroupSpec("g1", "soft-affinity", frozenset({"m0"}))
    assert select_destination(make_spec("m1", group=group), hosts, config).name == "h1"
    hosts[1].used_memory_mb = hosts[1].total_memory_mb  # full: another host, no refusal
    assert select_destination(make_spec("m2", group=group), hosts, config).name == "h2"


def test_with_default_multipliers_soft_affinity_outweighs_the_resource_weighers() -> None:
    """As in Nova, the RAM, CPU and disk weighers normalise from 0 (``minval``), so one member's
    footprint moves them by a few hundredths while the soft-affinity weigher moves by 1."""
    hosts = _hosts(2)
    placed = _place("soft-affinity", 3, hosts)
    assert len(set(placed)) == 1
