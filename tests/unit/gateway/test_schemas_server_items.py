"""Server metadata and tag bodies against Nova's ``schemas/server_metadata.py`` and
``schemas/server_tags.py``."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova_api.schemas.server_metadata import parse_meta, parse_metadata
from kubenova_api.schemas.server_tags import parse_tags
from tests.unit.gateway.schema_cases import invalid, refusal, unexpected

REGEX = "'^[a-zA-Z0-9-_:. ]{1,255}$'"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"metadata": {"k": "v", "a b:c.d-e_f": ""}}, None),
        ({"metadata": {}}, None),
        ({"metadata": {"k": None}}, invalid("k", None, "None is not of type 'string'")),
        ({"metadata": {"k": "v" * 256}}, invalid("k", "v" * 256, f"'{'v' * 256}' is too long")),
        (
            {"metadata": {"a/b": "v"}},
            invalid("metadata", {"a/b": "v"}, f"'a/b' does not match any of the regexes: {REGEX}"),
        ),
        (
            {"metadata": {"a/b": "v", "c/d": "w"}},
            invalid(
                "metadata", {"a/b": "v", "c/d": "w"}, f"'a/b', 'c/d' do not match any of the regexes: {REGEX}"
            ),
        ),
        ({"metadata": []}, invalid("metadata", [], "[] is not of type 'object'")),
        ({}, "'metadata' is a required property"),
        ({"metadata": {}, "x": 1}, unexpected("x")),
    ],
)
def test_metadata(body: Any, message: str | None) -> None:
    if message is None:
        assert parse_metadata(body) == body["metadata"]
    else:
        assert refusal(lambda: parse_metadata(body)) == message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"meta": {"k": "v"}}, None),
        ({"meta": {}}, invalid("meta", {}, "{} should be non-empty")),
        (
            {"meta": {"k": "v", "j": "w"}},
            invalid("meta", {"k": "v", "j": "w"}, "{'k': 'v', 'j': 'w'} has too many properties"),
        ),
        ({"meta": {"j": "w"}}, "Request body and URI mismatch"),
    ],
)
def test_meta_item(body: Any, message: str | None) -> None:
    if message is None:
        assert parse_meta(body, "k") == "v"
    else:
        assert refusal(lambda: parse_meta(body, "k")) == message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"tags": ["a", "b", "a"]}, None),
        ({"tags": []}, None),
        ({"tags": ["a/b"]}, invalid(0, "a/b", "'a/b' does not match '^[^,/]*$'")),
        ({"tags": ["ok", ""]}, invalid(1, "", "'' should be non-empty")),
        ({"tags": ["t" * 61]}, invalid(0, "t" * 61, f"'{'t' * 61}' is too long")),
        ({"tags": "a"}, invalid("tags", "a", "'a' is not of type 'array'")),
        ({"tags": [f"t{i}" for i in range(51)]}, "The number of tags exceeded the per-server limit 50"),
    ],
)
def test_tags(body: Any, message: str | None) -> None:
    if message is None:
        assert parse_tags(body) == list(dict.fromkeys(body["tags"]))
    else:
        assert refusal(lambda: parse_tags(body)) == message
