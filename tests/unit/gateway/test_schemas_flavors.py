"""Flavor bodies against Nova's ``schemas/flavors.py`` (create 2.1 / 2.55 / legacy v2, update 2.55)."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova_api.schemas.flavors import (
    FlavorCreateRequest,
    FlavorCreateRequestV20,
    FlavorCreateRequestV255,
    FlavorUpdateRequest,
)
from kubenova_api.schemas.parameter_types import BOOLEAN_FALSE, BOOLEAN_TRUE
from kubenova_api.schemas.validation import parse_body
from tests.unit.gateway.schema_cases import Owned, expected, extra, refusal, required

BASE = {"name": "f1", "ram": 512, "vcpus": 1, "disk": 1}
BOOL_ENUM = (
    "[True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', "
    "'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']"
)


def create(fields: dict[str, Any], model: type = FlavorCreateRequest) -> Any:
    return parse_body(model, {"flavor": {**BASE, **fields}}).flavor


@pytest.mark.parametrize(
    ("fields", "attr", "expected"),
    [
        ({"id": 10}, "id", "10"),
        ({"id": 1.5}, "id", "1.5"),
        ({"id": "m1.tiny"}, "id", "m1.tiny"),
        ({"id": "a b"}, "id", "a b"),
        ({"id": None}, "id", None),
        ({"id": 0}, "id", None),  # Nova generates an id for a false one
        ({}, "id", None),
        ({"ram": "1024"}, "ram", 1024),
        ({"disk": "0"}, "disk", 0),
        ({"swap": 0, "OS-FLV-EXT-DATA:ephemeral": "5"}, "ephemeral", 5),
        ({"vcpus": 2147483647}, "vcpus", 2147483647),
        ({"rxtx_factor": "2.5"}, "rxtx_factor", 2.5),
        ({"rxtx_factor": 0.1}, "rxtx_factor", 0.1),
        *(({"os-flavor-access:is_public": v}, "is_public", True) for v in (True, *BOOLEAN_TRUE)),
        *(({"os-flavor-access:is_public": v}, "is_public", False) for v in (False, *BOOLEAN_FALSE)),
        ({}, "is_public", True),
    ],
)
def test_create_accepts(fields: dict[str, Any], attr: str, expected: Any) -> None:
    assert getattr(create(fields), attr) == expected


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"os-flavor-access:is_public": "maybe"},
            f"Invalid input for field/attribute os-flavor-access:is_public. Value: maybe. "
            f"'maybe' is not one of {BOOL_ENUM}",
        ),
        (
            {"os-flavor-access:is_public": "y"},
            "Invalid input for field/attribute os-flavor-access:is_public. Value: y. "
            f"'y' is not one of {BOOL_ENUM}",
        ),
        (
            {"os-flavor-access:is_public": 1},
            "Invalid input for field/attribute os-flavor-access:is_public. Value: 1. "
            "1 is not of type 'boolean', 'string'",
        ),
        (
            {"id": True},
            "Invalid input for field/attribute id. Value: True. "
            "True is not of type 'string', 'number', 'null'",
        ),
        ({"id": ""}, "Invalid input for field/attribute id. Value: . '' should be non-empty"),
        (
            {"id": " x"},
            "Invalid input for field/attribute id. Value:  x. "
            "' x' does not match '^(?! )[a-zA-Z0-9. _-]+(?<! )$'",
        ),
        (
            {"id": "x" * 256},
            f"Invalid input for field/attribute id. Value: {'x' * 256}. '{'x' * 256}' is too long",
        ),
        ({"ram": 0}, "Invalid input for field/attribute ram. Value: 0. 0 is less than the minimum of 1"),
        (
            {"ram": "lots"},
            "Invalid input for field/attribute ram. Value: lots. 'lots' does not match '^[0-9]+$'",
        ),
        (
            {"ram": 1.5},
            "Invalid input for field/attribute ram. Value: 1.5. 1.5 is not of type 'integer', 'string'",
        ),
        (
            {"vcpus": 2147483648},
            "Invalid input for field/attribute vcpus. Value: 2147483648. "
            "2147483648 is greater than the maximum of 2147483647",
        ),
        ({"disk": -1}, "Invalid input for field/attribute disk. Value: -1. -1 is less than the minimum of 0"),
        (
            {"rxtx_factor": 0},
            "Invalid input for field/attribute rxtx_factor. Value: 0. "
            "0 is less than or equal to the minimum of 0",
        ),
        (
            {"rxtx_factor": "0"},
            "Invalid input received: 'rxtx_factor' argument must be a float between 0 and 3.40282e+38",
        ),
        (
            {"rxtx_factor": "-1"},
            "Invalid input for field/attribute rxtx_factor. Value: -1. "
            "'-1' does not match '^[0-9]+(\\\\.[0-9]+)?$'",
        ),
        (
            {"name": " padded"},
            "An invalid 'name' value was provided. The name must be: printable characters. "
            "Can not start or end with whitespace.",
        ),
        ({"name": ""}, "Invalid input for field/attribute name. Value: . '' should be non-empty"),
        ({"name": 5}, "Invalid input for field/attribute name. Value: 5. 5 is not of type 'string'"),
        ({"description": "d"}, extra("flavor", field="description")),
        ({"bogus": 1}, extra("flavor", field="bogus")),
    ],
)
def test_create_refuses(fields: dict[str, Any], message: str | Owned) -> None:
    assert refusal(lambda: create(fields)) == expected(message, {"flavor": {**BASE, **fields}})


def test_create_requires_nova_fields() -> None:
    missing = {"flavor": {"ram": 1, "vcpus": 1, "disk": 0}}
    assert refusal(lambda: parse_body(FlavorCreateRequest, missing)) == (
        required("flavor", field="name").render(missing)
    )
    assert refusal(lambda: parse_body(FlavorCreateRequest, {})) == "'flavor' is a required property"


def test_description_from_255() -> None:
    assert create({"description": "small"}, FlavorCreateRequestV255).description == "small"
    assert create({"description": None}, FlavorCreateRequestV255).description is None
    long = "d" * 65536
    assert refusal(lambda: create({"description": long}, FlavorCreateRequestV255)) == (
        f"Invalid input for field/attribute description. Value: {long}. '{long}' is too long"
    )


def test_legacy_v2_names_may_have_outer_spaces() -> None:
    assert create({"name": " padded "}, FlavorCreateRequestV20).name == " padded "
    assert refusal(lambda: create({"name": "   "}, FlavorCreateRequestV20)) == (
        "An invalid 'name' value was provided. The name must be: printable characters with at least one "
        "non space character"
    )


def test_update_requires_description() -> None:
    assert parse_body(FlavorUpdateRequest, {"flavor": {"description": None}}).flavor.description is None
    assert refusal(lambda: parse_body(FlavorUpdateRequest, {"flavor": {}})) == (
        "Invalid input for field/attribute flavor. Value: {}. 'description' is a required property"
    )
    named = {"flavor": {"description": "x", "name": "y"}}
    assert refusal(lambda: parse_body(FlavorUpdateRequest, named)) == (
        "Invalid input for field/attribute flavor. Value: {'description': 'x', 'name': 'y'}. "
        "Additional properties are not allowed ('name' was unexpected)"
    )
