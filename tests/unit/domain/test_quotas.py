"""The quota decision both the gateway (403 pre-check) and the operator (recheck) make."""

from __future__ import annotations

import pytest

from kubenova.domain import quotas
from kubenova.domain.quotas import Usage

LIMITS = {"instances": 5, "cores": 8, "ram": 4096}


def test_a_request_that_fits_passes() -> None:
    assert quotas.exceeded(LIMITS, Usage(4, 7, 3584), Usage(1, 1, 512)) is None


@pytest.mark.parametrize(
    ("used", "requested", "message"),
    [
        (
            Usage(5, 5, 2560),
            Usage(1, 1, 512),
            "Quota exceeded for instances: Requested 1, but already used 5 of 5 instances",
        ),
        (
            Usage(2, 7, 1024),
            Usage(1, 2, 512),
            "Quota exceeded for cores: Requested 2, but already used 7 of 8 cores",
        ),
        (
            Usage(2, 2, 4000),
            Usage(1, 1, 512),
            "Quota exceeded for ram: Requested 512, but already used 4000 of 4096 ram",
        ),
    ],
)
def test_novas_message_names_the_first_resource_over(used: Usage, requested: Usage, message: str) -> None:
    assert quotas.exceeded(LIMITS, used, requested) == message


def test_unlimited_and_missing_limits_never_refuse() -> None:
    assert quotas.exceeded({"instances": -1}, Usage(10**6, 10**6, 10**9), Usage(1, 64, 10**6)) is None


def test_zero_refuses_everything() -> None:
    assert quotas.exceeded({"instances": 0}, Usage(), Usage(1)) is not None


def test_total_counts_each_server_once() -> None:
    assert quotas.total([(1, 512), (2, 1024)]) == Usage(2, 3, 1536)


def test_limits_come_from_the_project_then_the_default_class_then_the_defaults() -> None:
    data = {
        "p1.instances": "3",
        "quota-class.default.cores": "4",
        "quota-class.gold.cores": "99",  # another class affects no project (as in Nova)
        "p1.key_pairs": "7",  # not a server resource
        "p2.ram": "lots",  # not a number: the default applies
    }
    stored = quotas.parse(data, quotas.SERVER_RESOURCES)
    assert stored.project_limits("p1", quotas.NOVA_DEFAULTS) == {"instances": 3, "cores": 4, "ram": 51200}
    assert stored.project_limits("p2", quotas.NOVA_DEFAULTS) == {"instances": 10, "cores": 4, "ram": 51200}


def test_class_names_round_trip_through_their_key_segment() -> None:
    for name in ("default", "x-odd", "with space"):
        key = f"{quotas.CLASS_PREFIX}{quotas.class_segment(name)}.cores"
        assert quotas.parse({key: "1"}, ("cores",)).classes == {name: {"cores": 1}}
