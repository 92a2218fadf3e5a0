"""The unshelve body per microversion (Nova's ``schemas/shelve.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova_api import errors
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.server_shelve import Unshelve, parse_unshelve


@pytest.mark.parametrize(
    ("version", "body", "wanted"),
    [
        ("2.76", {"unshelve": {"availability_zone": 1, "x": 2}}, Unshelve()),  # not looked at
        ("2.77", {"unshelve": None}, Unshelve()),
        ("2.77", {"unshelve": {"availability_zone": "az1"}}, Unshelve(zone_given=True, zone="az1")),
        ("2.91", {"unshelve": None}, Unshelve()),
        ("2.91", {"unshelve": {}}, Unshelve()),
        ("2.91", {"unshelve": {"availability_zone": None}}, Unshelve(zone_given=True, zone=None)),
        ("2.91", {"unshelve": {"host": "n1"}}, Unshelve(host="n1")),
        (
            "2.91",
            {"unshelve": {"availability_zone": "az1", "host": "n1"}},
            Unshelve(zone_given=True, zone="az1", host="n1"),
        ),
    ],
)
def test_accepted(version: str, body: Any, wanted: Unshelve) -> None:
    assert parse_unshelve(body, APIVersion.parse(version)) == wanted


@pytest.mark.parametrize(
    ("version", "body"),
    [
        ("2.77", {"unshelve": {}}),
        ("2.77", {"unshelve": {"availability_zone": None}}),
        ("2.77", {"unshelve": {"availability_zone": " az"}}),
        ("2.90", {"unshelve": {"availability_zone": "az", "host": "n1"}}),
        ("2.91", {"unshelve": {"host": None}}),
        ("2.91", {"unshelve": {"host": 1}}),
        ("2.91", {"unshelve": {"zone": "az"}}),
        ("2.91", {"unshelve": "az"}),
        ("2.91", {"unshelve": None, "x": 1}),
    ],
)
def test_refused(version: str, body: Any) -> None:
    with pytest.raises(errors.BadRequestError):
        parse_unshelve(body, APIVersion.parse(version))
