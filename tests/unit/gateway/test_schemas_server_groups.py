"""Server group create bodies against Nova's ``schemas/server_groups.py`` per microversion."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova_api import errors
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.server_groups import create_model, policy_and_rules
from kubenova_api.schemas.validation import parse_body

V = {"2.1": APIVersion(2, 1), "2.15": APIVersion(2, 15), "2.63": APIVersion(2, 63), "2.64": APIVersion(2, 64)}


@pytest.mark.parametrize(
    ("version", "body", "parsed"),
    [
        ("2.1", {"name": "g", "policies": ["affinity"]}, ("affinity", None, False)),
        ("2.15", {"name": "g", "policies": ["soft-anti-affinity"]}, ("soft-anti-affinity", None, False)),
        ("2.64", {"name": "g", "policy": "soft-affinity"}, ("soft-affinity", None, False)),
        ("2.64", {"name": "g", "policy": "affinity", "rules": {}}, ("affinity", None, False)),
        (
            "2.64",
            {"name": "g", "policy": "anti-affinity", "rules": {"max_server_per_host": 3}},
            ("anti-affinity", 3, True),
        ),
        (
            "2.64",
            {"name": "g", "policy": "affinity", "rules": {"max_server_per_host": 2}},
            ("affinity", 2, True),
        ),
    ],
)
def test_accepts(version: str, body: dict[str, Any], parsed: tuple[str, int | None, bool]) -> None:
    request = parse_body(create_model(V[version]), {"server_group": body}).server_group
    assert policy_and_rules(request) == parsed


@pytest.mark.parametrize(
    ("version", "body", "message"),
    [
        (
            "2.1",
            {"name": "g", "policies": ["soft-affinity"]},
            ("0", "soft-affinity", "'soft-affinity' is not one of ['anti-affinity', 'affinity']"),
        ),
        (
            "2.1",
            {"name": "g", "policies": []},
            ("policies", "[]", "[] should be non-empty"),
        ),
        (
            "2.1",
            {"name": "g", "policies": "affinity"},
            ("policies", "affinity", "'affinity' is not of type 'array'"),
        ),
        (
            "2.1",
            {"name": "g"},
            ("server_group", "{'name': 'g'}", "'policies' is a required property"),
        ),
        (
            "2.63",
            {"name": "g", "policy": "affinity"},
            ("server_group", "{'name': 'g', 'policy': 'affinity'}", "'policies' is a required property"),
        ),
        (
            "2.64",
            {"name": "g", "policy": "legacy"},
            (
                "policy",
                "legacy",
                "'legacy' is not one of ['anti-affinity', 'affinity', 'soft-anti-affinity', 'soft-affinity']",
            ),
        ),
        (
            "2.64",
            {"name": "g", "policy": "anti-affinity", "rules": {"max_server_per_host": 0}},
            ("max_server_per_host", "0", "0 is less than the minimum of 1"),
        ),
        (
            "2.64",
            {"name": "g", "policy": "anti-affinity", "rules": {"x": 1}},
            ("rules", "{'x': 1}", "Additional properties are not allowed ('x' was unexpected)"),
        ),
    ],
)
def test_refuses(version: str, body: dict[str, Any], message: tuple[str, str, str]) -> None:
    with pytest.raises(errors.BadRequestError) as caught:
        parse_body(create_model(V[version]), {"server_group": body})
    field, value, reason = message
    assert str(caught.value) == f"Invalid input for field/attribute {field}. Value: {value}. {reason}"
