"""``os-getConsoleOutput``'s body (Nova's ``schemas/console_output.py``): an object with an
optional ``length``: an integer or a string of one (``^-?[0-9]+$``), at least -1, or null."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from kubenova_api.schemas.parameter_types import SchemaError
from kubenova_api.schemas.validation import StrictBody, parse_body

_SIGNED = re.compile(r"^-?[0-9]+$")


def _length(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SchemaError(f"{value!r} is not of type 'integer', 'string', 'null'")
    if isinstance(value, str) and not _SIGNED.match(value):
        raise SchemaError(f"{value!r} does not match {_SIGNED.pattern!r}")
    number = int(value)
    if number < -1:  # Nova's validator compares integer strings with the bounds too
        raise SchemaError(f"{value!r} is less than the minimum of -1")
    return number


class ConsoleOutput(StrictBody):
    length: Annotated[int | None, BeforeValidator(_length)] = None


class ConsoleOutputRequest(StrictBody):
    action: ConsoleOutput = Field(alias="os-getConsoleOutput")


def parse_console_output(body: Any) -> int | None:
    """The requested ``length`` (``None``: the whole log)."""
    return parse_body(ConsoleOutputRequest, body).action.length
