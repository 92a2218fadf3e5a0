"""ComputeFilter keeps hosts whose service is enabled (not cordoned) and up (Ready)."""

from __future__ import annotations

import pytest

from kubenova.scheduler.filters.compute import ComputeFilter
from tests.unit.scheduler.factories import make_host, make_spec


@pytest.mark.parametrize(
    ("enabled", "up", "passes", "reason"),
    [
        (True, True, True, None),
        (False, True, False, "compute service is disabled (node cordoned)"),
        (True, False, False, "compute service is down (node not Ready)"),
        (False, False, False, "compute service is disabled (node cordoned)"),
    ],
)
def test_only_enabled_and_up_hosts_pass(enabled: bool, up: bool, passes: bool, reason: str | None) -> None:
    host = make_host(enabled=enabled, up=up)
    assert ComputeFilter().host_passes(host, make_spec()) is passes
    assert ComputeFilter().rejection(host, make_spec()) == reason
