"""A weigher's multiplier comes from config unless the host's aggregates set one (minimum wins)."""

from __future__ import annotations

import logging

import pytest

from kubenova.domain.zones import AggregateInfo
from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.weighers.base import HostWeigher
from kubenova.scheduler.weighers.cpu import CPUWeigher
from kubenova.scheduler.weighers.disk import DiskWeigher
from kubenova.scheduler.weighers.num_instances import NumInstancesWeigher
from kubenova.scheduler.weighers.ram import RAMWeigher
from tests.unit.scheduler.factories import make_aggregate, make_host

CONFIG = SchedulerConfig(
    ram_weight_multiplier=1.5,
    cpu_weight_multiplier=2.5,
    disk_weight_multiplier=3.5,
    num_instances_weight_multiplier=-4.5,
)


@pytest.mark.parametrize(
    ("weigher", "configured"),
    [(RAMWeigher(), 1.5), (CPUWeigher(), 2.5), (DiskWeigher(), 3.5), (NumInstancesWeigher(), -4.5)],
)
def test_without_aggregate_metadata_the_configured_multiplier_applies(
    weigher: HostWeigher, configured: float
) -> None:
    assert weigher.weight_multiplier(make_host(), CONFIG) == configured


@pytest.mark.parametrize(
    ("weigher", "key"),
    [
        (RAMWeigher(), "ram_weight_multiplier"),
        (CPUWeigher(), "cpu_weight_multiplier"),
        (DiskWeigher(), "disk_weight_multiplier"),
        (NumInstancesWeigher(), "num_instances_weight_multiplier"),
    ],
)
def test_aggregate_metadata_overrides_and_the_minimum_wins(weigher: HostWeigher, key: str) -> None:
    aggregates = [
        AggregateInfo("a", None, frozenset(), {key: "7"}),
        AggregateInfo("b", None, frozenset(), {key: "-2"}),
    ]
    assert weigher.weight_multiplier(make_host(aggregates=aggregates), CONFIG) == -2.0


def test_an_unparsable_aggregate_multiplier_is_ignored_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    host = make_host(aggregates=[make_aggregate("typo", ram_weight_multiplier="high")])
    with caplog.at_level(logging.WARNING, logger="kubenova.scheduler.weighers.base"):
        assert RAMWeigher().weight_multiplier(host, CONFIG) == 1.5
    assert "ram_weight_multiplier='high'" in caplog.text
