"""CoreFilter keeps hosts whose free vCPUs, after ratio and reservation, fit the flavor."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova.scheduler.filters.cores import CoreFilter
from tests.unit.scheduler.factories import make_host, make_spec


@pytest.mark.parametrize(
    ("host_kw", "requested", "passes"),
    [
        ({}, 16, True),
        ({}, 17, False),
        ({"used_vcpus": 15}, 1, True),
        ({"used_vcpus": 16}, 1, False),
        ({"cpu_allocation_ratio": 1.0}, 4, True),
        ({"cpu_allocation_ratio": 1.0}, 5, False),
        ({"cpu_allocation_ratio": 1.0, "reserved_vcpus": 1}, 3, True),
        ({"cpu_allocation_ratio": 1.0, "reserved_vcpus": 1}, 4, False),
        ({"cpu_allocation_ratio": 1.0, "total_vcpus": 3.9}, 4, False),
    ],
)
def test_free_vcpus_must_cover_the_request(host_kw: dict[str, Any], requested: int, passes: bool) -> None:
    host = make_host(**{"total_vcpus": 4.0, "cpu_allocation_ratio": 4.0, **host_kw})
    assert CoreFilter().host_passes(host, make_spec(vcpus=requested)) is passes


def test_the_reason_shows_usable_vcpus_and_ratio() -> None:
    reason = CoreFilter().rejection(make_host(total_vcpus=2.0, cpu_allocation_ratio=1.0), make_spec(vcpus=4))
    assert reason == "has 2 usable vCPUs (ratio 1), request needs 4"
