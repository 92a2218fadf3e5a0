"""AvailabilityZoneFilter keeps hosts in the requested zone; no zone requested means any host."""

from __future__ import annotations

import pytest

from kubenova.scheduler.filters.availability_zone import AvailabilityZoneFilter
from tests.unit.scheduler.factories import make_host, make_spec


@pytest.mark.parametrize(
    ("host_zone", "requested", "passes"),
    [
        ("nova", None, True),
        ("az1", None, True),
        ("az1", "az1", True),
        ("nova", "az1", False),
        ("az2", "az1", False),
    ],
)
def test_hosts_pass_only_in_the_requested_zone(host_zone: str, requested: str | None, passes: bool) -> None:
    assert (
        AvailabilityZoneFilter().host_passes(
            make_host(availability_zone=host_zone), make_spec(availability_zone=requested)
        )
        is passes
    )


def test_the_reason_names_both_zones() -> None:
    reason = AvailabilityZoneFilter().rejection(
        make_host(availability_zone="az2"), make_spec(availability_zone="az1")
    )
    assert reason == "host is in zone 'az2', request asks for 'az1'"
