"""The rescue body against Nova's ``schemas/rescue.py``: ``rescue`` is required and null or an
object of ``adminPass`` (string) and ``rescue_image_ref`` (uuid), nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova_api.schemas.server_rescue import parse_rescue
from tests.unit.gateway.schema_cases import Owned, expected, extra, invalid, refusal, unexpected

IMAGE = "6f9a4c3e-0000-4000-8000-000000000001"


def test_accepted_bodies() -> None:
    assert parse_rescue({"rescue": None}).model_fields_set == set()
    assert parse_rescue({"rescue": {}}).admin_pass is None
    parsed = parse_rescue({"rescue": {"adminPass": "s3cret", "rescue_image_ref": IMAGE}})
    assert (parsed.admin_pass, parsed.rescue_image_ref) == ("s3cret", IMAGE)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"rescue": {"rescue_image_ref": "cirros"}},
            invalid("rescue_image_ref", "cirros", "'cirros' is not a 'uuid'"),
        ),
        ({"rescue": {"adminPass": 1}}, invalid("adminPass", 1, "1 is not of type 'string'")),
        ({"rescue": {"adminPass": None}}, invalid("adminPass", None, "None is not of type 'string'")),
        ({"rescue": {"image": IMAGE}}, extra("rescue", field="image")),
        ({"rescue": None, "x": 1}, unexpected("x")),
    ],
)
def test_refusals(body: Any, message: str | Owned) -> None:
    assert refusal(lambda: parse_rescue(body)) == expected(message, body)


def test_rescue_must_be_an_object_or_null() -> None:
    assert refusal(lambda: parse_rescue({"rescue": "now"})) == (
        invalid("rescue", "now", "'now' is not of type 'object', 'null'")
    )
    assert refusal(lambda: parse_rescue({})) == "'rescue' is a required property"
