"""Every filter says why a host failed, logs it at debug level and takes the config uniformly."""

from __future__ import annotations

import logging

import pytest

from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.errors import Rejection
from kubenova.scheduler.filters.ram import RamFilter
from kubenova.scheduler.filters.registry import FILTERS
from tests.unit.scheduler.factories import make_host, make_spec


def test_a_failing_host_is_logged_at_debug_with_the_reason(caplog: pytest.LogCaptureFixture) -> None:
    host = make_host("small", total_memory_mb=256)
    with caplog.at_level(logging.DEBUG, logger="kubenova.scheduler.filters.base"):
        assert RamFilter().host_passes(host, make_spec(memory_mb=512)) is False
    assert "small fails RamFilter: has 256 MiB usable RAM (ratio 1), request needs 512 MiB" in caplog.text


def test_filter_all_keeps_passing_hosts_in_order_and_explains_the_rest() -> None:
    hosts = [make_host("a"), make_host("b", total_memory_mb=100), make_host("c")]
    outcome = RamFilter().filter_all(hosts, make_spec(memory_mb=512))
    assert [h.name for h in outcome.passed] == ["a", "c"]
    assert outcome.rejected == [
        Rejection("RamFilter", "b", "has 100 MiB usable RAM (ratio 1), request needs 512 MiB")
    ]


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_each_filter_is_named_after_its_class_and_passes_an_idle_host(name: str) -> None:
    host_filter = FILTERS[name](SchedulerConfig())
    assert host_filter.name == name
    assert host_filter.host_passes(make_host(), make_spec()) is True


def test_only_zone_and_resource_filters_run_on_a_forced_host() -> None:
    forced = {name for name, cls in FILTERS.items() if cls.runs_on_forced_host}
    assert forced == {"AvailabilityZoneFilter", "RamFilter", "CoreFilter", "DiskFilter"}
