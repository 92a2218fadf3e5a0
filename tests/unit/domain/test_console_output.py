"""Nova's console-output rules (``compute/manager.py`` ``_tail_log``, the API's control-character
filter, libvirt's 100 KiB cap) and the body schema (``schemas/console_output.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova.domain import console_output
from kubenova_api import errors
from kubenova_api.schemas.console_output import parse_console_output

LOG = "first\nsecond\nthird\nlogin: "


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        (None, LOG),
        (0, ""),
        (1, "login: "),
        (2, "third\nlogin: "),
        (100, LOG),
        (-1, "second\nthird\nlogin: "),  # Nova takes -1 literally: [-(-1):] drops the first line
    ],
)
def test_tail_is_novas_tail_log(length: int | None, expected: str) -> None:
    assert console_output.render(LOG, length) == expected


def test_a_trailing_newline_counts_as_an_empty_last_line() -> None:
    assert console_output.tail("a\nb\n", 1) == ""
    assert console_output.tail("a\nb\n", 2) == "b\n"


def test_control_characters_and_non_ascii_are_filtered_as_nova_does() -> None:
    assert console_output.render("a\x1b[0mb\tc\x07\r\nd", None) == "a[0mb\tc\nd"
    assert console_output.render("café", None) == "caf\ufffd\ufffd"


def test_only_the_last_100_kib_are_returned() -> None:
    log = "x" * (console_output.MAX_CONSOLE_BYTES + 10)
    assert len(console_output.render(log, None)) == console_output.MAX_CONSOLE_BYTES


def test_lines_to_fetch() -> None:
    assert console_output.lines_to_fetch(None) is None
    assert console_output.lines_to_fetch(-1) is None
    assert console_output.lines_to_fetch(0) == 0
    assert console_output.lines_to_fetch(7) == 7


@pytest.mark.parametrize(
    ("args", "length"),
    [({}, None), ({"length": None}, None), ({"length": 5}, 5), ({"length": "12"}, 12), ({"length": -1}, -1)],
)
def test_schema_accepts(args: Any, length: int | None) -> None:
    assert parse_console_output({"os-getConsoleOutput": args}) == length


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (None, "None is not of type 'object'"),
        ({"length": -2}, "-2 is less than the minimum of -1"),
        ({"length": "-3"}, "'-3' is less than the minimum of -1"),
        ({"length": "1a"}, "'1a' does not match '^-?[0-9]+$'"),
        ({"length": True}, "True is not of type 'integer', 'string', 'null'"),
        ({"length": [1]}, "[1] is not of type 'integer', 'string', 'null'"),
        ({"other": 1}, "Additional properties are not allowed ('other' was unexpected)"),
    ],
)
def test_schema_refuses(args: Any, message: str) -> None:
    with pytest.raises(errors.BadRequestError) as refused:
        parse_console_output({"os-getConsoleOutput": args})
    assert message in str(refused.value)
