"""The soft server group weighers count members on each host; they never remove a host."""

from __future__ import annotations

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.server_group import GroupSpec
from kubenova.scheduler.weighers.registry import build_weighers
from kubenova.scheduler.weighers.server_group import (
    ServerGroupSoftAffinityWeigher,
    ServerGroupSoftAntiAffinityWeigher,
)
from kubenova.scheduler.weighers.weighing import weigh_hosts
from tests.unit.scheduler.factories import make_host, make_spec


def _hosts():
    return [make_host("a", instance_uids={"m1", "m2"}), make_host("b", instance_uids={"m3"}), make_host("c")]


def _spec(policy: str):
    return make_spec(group=GroupSpec("g1", policy, frozenset({"m1", "m2", "m3"})))


def test_soft_affinity_weight_is_the_members_on_the_host() -> None:
    assert ServerGroupSoftAffinityWeigher().weigh_objects(_hosts(), _spec("soft-affinity")) == [2.0, 1.0, 0.0]


def test_soft_anti_affinity_weight_is_minus_the_members_on_the_host() -> None:
    weights = ServerGroupSoftAntiAffinityWeigher().weigh_objects(_hosts(), _spec("soft-anti-affinity"))
    assert weights == [-2.0, -1.0, -0.0]


def test_each_weigher_ignores_the_other_policies_and_requests_without_group() -> None:
    for spec in (_spec("soft-anti-affinity"), _spec("affinity"), make_spec()):
        assert ServerGroupSoftAffinityWeigher().weigh_objects(_hosts(), spec) == [0.0, 0.0, 0.0]
    for spec in (_spec("soft-affinity"), _spec("anti-affinity"), make_spec()):
        assert ServerGroupSoftAntiAffinityWeigher().weigh_objects(_hosts(), spec) == [0.0, 0.0, 0.0]


def test_ranking_only_by_the_group_weighers() -> None:
    config = SchedulerConfig(
        enabled_weighers=("ServerGroupSoftAffinityWeigher", "ServerGroupSoftAntiAffinityWeigher")
    )
    weighers = build_weighers(config)
    best = weigh_hosts(_hosts(), _spec("soft-affinity"), config, weighers)[0].host.name
    assert best == "a"
    best = weigh_hosts(_hosts(), _spec("soft-anti-affinity"), config, weighers)[0].host.name
    assert best == "c"


def test_both_are_on_by_default_with_nova_multipliers() -> None:
    config = SchedulerConfig()
    assert {"ServerGroupSoftAffinityWeigher", "ServerGroupSoftAntiAffinityWeigher"} <= set(
        config.enabled_weighers
    )
    assert config.soft_affinity_weight_multiplier == 1.0
    assert config.soft_anti_affinity_weight_multiplier == 1.0
