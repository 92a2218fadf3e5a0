"""``FastJSONResponse`` answers the same bytes as Starlette's ``JSONResponse`` for every kind of
value the views build (the server lists use it; Nova clients parse these bodies)."""

from __future__ import annotations

import enum
from typing import Any

import pytest
from starlette.responses import JSONResponse

from kubenova.resources.states import VmState
from kubenova_api.microversions import APIVersion
from kubenova_api.views.json_response import FastJSONResponse


class _Status(enum.StrEnum):
    ACTIVE = "ACTIVE"


EVERY_CHARACTER = "".join(chr(c) for c in range(0x80)) + "é☃😀\u2028\u2029\ufeff\U0010ffff"
BODIES: list[Any] = [
    {"servers": []},
    {"s": EVERY_CHARACTER, EVERY_CHARACTER: "key"},
    {"z": 1, "a": 2, "m": {"y": None, "b": [True, False]}},  # insertion order, not sorted
    {"ints": [0, -1, 2**31, -(2**63), 2**64, 10**30]},
    {"tuple": ("a", 1), "nested": [[], {}, [{}], ""]},
    {"enums": [VmState.ACTIVE, _Status.ACTIVE], VmState.ACTIVE: "enum key"},
    {"version": str(APIVersion.parse("2.100")), "links": [{"rel": "self", "href": "http://x/a?b=c&d=/"}]},
]


@pytest.mark.parametrize("body", BODIES)
def test_same_bytes_as_json_response(body: Any) -> None:
    assert FastJSONResponse(body).body == JSONResponse(body).body


def test_headers_are_json_response_headers() -> None:
    fast, plain = FastJSONResponse({"a": "é"}, status_code=203), JSONResponse({"a": "é"}, status_code=203)
    assert fast.status_code == plain.status_code == 203
    assert fast.headers.items() == plain.headers.items()
