"""The server action bodies the gateway parses itself (reboot, lock) against Nova's schemas."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova_api.schemas.server_actions import action_of, parse_lock, parse_reboot
from tests.unit.gateway.schema_cases import Owned, expected, extra, invalid, refusal, required

TYPES = "['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']"


@pytest.mark.parametrize(("value", "expected"), [("SOFT", "SOFT"), ("Soft", "SOFT"), ("hard", "HARD")])
def test_reboot_types(value: str, expected: str) -> None:
    assert parse_reboot({"reboot": {"type": value}}).type == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"reboot": {"type": "sOFT"}}, invalid("type", "sOFT", f"'sOFT' is not one of {TYPES}")),
        ({"reboot": {"type": 1}}, invalid("type", 1, "1 is not of type 'string'")),
        ({"reboot": {}}, required("reboot", field="type")),
        ({"reboot": {"type": "SOFT", "x": 1}}, extra("reboot", field="x")),
    ],
)
def test_reboot_refusals(body: Any, message: str | Owned) -> None:
    assert refusal(lambda: parse_reboot(body)) == expected(message, body)


def test_lock() -> None:
    assert parse_lock({"lock": None}) is None
    assert parse_lock({"lock": {}}) is None
    assert parse_lock({"lock": {"locked_reason": "maintenance"}}) == "maintenance"
    assert refusal(lambda: parse_lock({"lock": {"locked_reason": None}})) == (
        invalid("locked_reason", None, "None is not of type 'string'")
    )
    assert refusal(lambda: parse_lock({"lock": {"locked_reason": ""}})) == (
        invalid("locked_reason", "", "'' should be non-empty")
    )
    assert refusal(lambda: parse_lock({"lock": {"reason": "x"}})) == (
        "Invalid input for field/attribute lock. Value: {'reason': 'x'}. "
        "Additional properties are not allowed ('reason' was unexpected)"
    )


def test_action_of() -> None:
    assert action_of({"os-stop": None}) == ("os-stop", None)
    assert refusal(lambda: action_of({})) == "Malformed request body"
    assert refusal(lambda: action_of({"a": 1, "b": 2})) == "Malformed request body: too many body keys"
