"""Scheduler hints: Nova's schema (documented hints validated, others kept), only three honoured."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova.resources.server import SchedulerHints
from kubenova_api import errors
from kubenova_api.schemas.server_hints import DOCUMENTED, HONOURED, parse_hints

UUID = "6f1b5b4e-8a3c-4d3f-9d5e-2b7c1a0e9f11"


def test_documented_hints_are_novas_and_only_three_are_honoured() -> None:
    assert {
        "group",
        "same_host",
        "different_host",
        "query",
        "target_cell",
        "different_cell",
        "build_near_host_ip",
        "cidr",
    } == DOCUMENTED
    assert {"group", "same_host", "different_host"} == HONOURED
    assert set(SchedulerHints.model_fields) == HONOURED


def test_unknown_and_unhonoured_hints_are_kept_for_display_but_not_honoured() -> None:
    hints, stored = parse_hints(
        {
            "group": UUID,
            "force_hosts": "node-1",
            "ignore_hosts": ["a"],
            "query": '[">=", "$free_ram_mb", 1024]',
            "target_cell": "cell1",
            "different_cell": ["c1", "c2"],
            "cidr": "/24",
            "build_near_host_ip": "10.0.0.1",
        }
    )
    assert hints.model_dump() == {"group": UUID, "same_host": [], "different_host": []}
    assert stored["force_hosts"] == ["node-1"]
    assert stored["different_cell"] == ["c1", "c2"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "query",
            1,
            "Invalid input for field/attribute query. Value: 1. 1 is not of type 'string', 'object'",
        ),
        (
            "target_cell",
            5,
            "Invalid input for field/attribute target_cell. Value: 5. 5 is not of type 'string'",
        ),
        ("target_cell", " cell", "An invalid 'name' value was provided."),
        ("different_cell", 3, "3 is not of type 'string', 'array'"),
        ("different_cell", ["a", 3], "3 is not of type 'string'"),
        ("cidr", "24", "'24' does not match '^/[0-9a-f.:]+$'"),
        ("cidr", 24, "24 is not of type 'string'"),
        ("same_host", "not-a-uuid", "is not a 'uuid'"),
    ],
)
def test_documented_hints_are_validated_as_nova_does(key: str, value: Any, message: str) -> None:
    with pytest.raises(errors.BadRequestError) as caught:
        parse_hints({key: value})
    assert message in str(caught.value)
