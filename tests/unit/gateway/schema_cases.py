"""Shared helpers of the table-driven schema tests: a body is accepted (the parsed value is
returned) or refused with Nova's exact 400 message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from kubenova_api import errors


def refusal(parse: Callable[[], Any]) -> str:
    """The 400 message ``parse()`` answers (fails the test if it accepts)."""
    with pytest.raises(errors.BadRequestError) as caught:
        parse()
    return caught.value.message


def invalid(field: str, value: object, reason: str) -> str:
    """Nova's prefix for a property's refusal."""
    return f"Invalid input for field/attribute {field}. Value: {value}. {reason}"


def unexpected(field: str) -> str:
    """An unexpected property of the body itself (Nova names no field for it)."""
    return f"Additional properties are not allowed ('{field}' was unexpected)"


@dataclass(frozen=True)
class Owned:
    """A refusal of the object at ``path`` in the body (a missing or unexpected property):
    Nova words it with that object's field and value, so the expected text needs the body."""

    path: tuple[str | int, ...]
    message: str

    def render(self, body: Any) -> str:
        value = body
        for part in self.path:
            value = value[part]
        return invalid(str(self.path[-1]), value, self.message)


def extra(*path: str | int, field: str) -> Owned:
    return Owned(path, unexpected(field))


def required(*path: str | int, field: str) -> Owned:
    return Owned(path, f"'{field}' is a required property")


def expected(message: str | Owned, body: Any) -> str:
    return message.render(body) if isinstance(message, Owned) else message


BOOL_ENUM = (
    "[True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', "
    "'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']"
)
INVALID_NAME = (
    "An invalid 'name' value was provided. The name must be: printable characters. "
    "Can not start or end with whitespace."
)
