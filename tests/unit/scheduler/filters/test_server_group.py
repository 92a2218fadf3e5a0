"""ServerGroupAffinityFilter / ServerGroupAntiAffinityFilter, and the group's member hosts."""

from __future__ import annotations

import pytest

from kubenova.scheduler import server_group
from kubenova.scheduler.filters.server_group import ServerGroupAffinityFilter, ServerGroupAntiAffinityFilter
from kubenova.scheduler.server_group import GroupSpec
from tests.unit.scheduler.factories import make_host, make_spec


def _spec(policy: str, members: set[str], *, hosts: frozenset[str] = frozenset(), max_per_host: int = 1):
    group = GroupSpec("g1", policy, frozenset(members), max_server_per_host=max_per_host, hosts=hosts)
    return make_spec(group=group)


@pytest.mark.parametrize(
    ("on_host", "max_per_host", "passes"),
    [
        (set(), 1, True),
        ({"other"}, 1, True),  # not a member
        ({"m1"}, 1, False),
        ({"m1"}, 2, True),
        ({"m1", "m2"}, 2, False),
        ({"m1", "other"}, 2, True),
    ],
)
def test_anti_affinity_counts_members_on_the_host(on_host: set[str], max_per_host: int, passes: bool) -> None:
    host = make_host(instance_uids=on_host)
    spec = _spec("anti-affinity", {"m1", "m2"}, max_per_host=max_per_host)
    assert ServerGroupAntiAffinityFilter().host_passes(host, spec) is passes


def test_anti_affinity_reason_names_the_group_and_the_limit() -> None:
    reason = ServerGroupAntiAffinityFilter().rejection(
        make_host(instance_uids={"m1"}), _spec("anti-affinity", {"m1"})
    )
    assert reason == "runs 1 member(s) of anti-affinity server group g1 (max_server_per_host 1)"


@pytest.mark.parametrize("policy", ["affinity", "soft-affinity", "soft-anti-affinity"])
def test_anti_affinity_ignores_other_policies(policy: str) -> None:
    assert ServerGroupAntiAffinityFilter().host_passes(make_host(instance_uids={"m1"}), _spec(policy, {"m1"}))


def test_no_group_passes_both_filters() -> None:
    host = make_host(instance_uids={"m1"})
    assert ServerGroupAntiAffinityFilter().host_passes(host, make_spec())
    assert ServerGroupAffinityFilter().host_passes(host, make_spec())


def test_affinity_passes_everywhere_until_a_member_is_placed() -> None:
    spec = _spec("affinity", {"m1"})
    assert ServerGroupAffinityFilter().host_passes(make_host("a"), spec)


def test_affinity_passes_only_the_member_hosts() -> None:
    spec = _spec("affinity", {"m1"}, hosts=frozenset({"a"}))
    assert ServerGroupAffinityFilter().host_passes(make_host("a"), spec)
    assert ServerGroupAffinityFilter().rejection(make_host("b"), spec) == (
        "runs no member of affinity server group g1 (members are on a)"
    )


@pytest.mark.parametrize("policy", ["anti-affinity", "soft-affinity"])
def test_affinity_ignores_other_policies(policy: str) -> None:
    spec = _spec(policy, {"m1"}, hosts=frozenset({"a"}))
    assert ServerGroupAffinityFilter().host_passes(make_host("b"), spec)


def test_with_hosts_reads_the_member_hosts_from_all_hosts() -> None:
    hosts = [
        make_host("a", instance_uids={"m1"}),
        make_host("b", instance_uids={"x"}),
        make_host("c", instance_uids={"m2"}),
    ]
    spec = server_group.with_hosts(_spec("affinity", {"m1", "m2"}), hosts)
    assert spec.group is not None
    assert spec.group.hosts == {"a", "c"}
    assert server_group.with_hosts(make_spec(), hosts).group is None


def test_group_spec_rejects_unknown_policies_and_bad_limits() -> None:
    with pytest.raises(ValueError, match="unknown server group policy"):
        GroupSpec("g", "legacy")
    with pytest.raises(ValueError, match="max_server_per_host"):
        GroupSpec("g", "anti-affinity", max_server_per_host=0)


def test_with_hosts_keeps_the_hosts_the_caller_named() -> None:
    """A move may narrow the host states (unshelve to a host, resize leaving the source out):
    members elsewhere still count for affinity."""
    spec = server_group.with_hosts(
        _spec("affinity", {"m1", "m2"}, hosts=frozenset({"far"})), [make_host("a", instance_uids={"m2"})]
    )
    assert spec.group is not None
    assert spec.group.hosts == {"far", "a"}
    assert not ServerGroupAffinityFilter().host_passes(make_host("b"), spec)
