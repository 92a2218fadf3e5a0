"""``unshelve`` bodies per microversion (Nova's ``schemas/shelve.py``).

- before 2.77: the value is not looked at (``{"unshelve": <anything>}``);
- 2.77-2.90: ``null`` or ``{"availability_zone": <name>}`` (required; nothing else);
- from 2.91: ``null`` or an object with ``availability_zone`` (a string, or ``null`` to unpin the
  zone) and/or ``host`` (a string); nothing else.

``shelve`` and ``shelveOffload`` take any value (Nova's schemas leave it unrestricted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator

from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.parameter_types import name, string
from kubenova_api.schemas.validation import StrictBody, parse_body


class _Unshelve277(StrictBody):
    availability_zone: Annotated[str, BeforeValidator(name)]


class _Unshelve277Request(StrictBody):
    unshelve: _Unshelve277 | None


class _Unshelve291(StrictBody):
    availability_zone: Annotated[str | None, BeforeValidator(lambda v: v if v is None else string(v))] = None
    host: Annotated[str | None, BeforeValidator(string)] = None  # a null host is refused


class _Unshelve291Request(StrictBody):
    unshelve: _Unshelve291 | None


@dataclass(frozen=True)
class Unshelve:
    """What an unshelve asks for: a new zone (``zone_given``; ``None`` unpins) and a host."""

    zone_given: bool = False
    zone: str | None = None
    host: str | None = None


def parse_unshelve(body: Any, version: APIVersion) -> Unshelve:
    if version >= "2.91":
        wanted = parse_body(_Unshelve291Request, body).unshelve
        if wanted is None:
            return Unshelve()
        given = "availability_zone" in wanted.model_fields_set
        return Unshelve(zone_given=given, zone=wanted.availability_zone, host=wanted.host)
    if version >= "2.77":
        asked = parse_body(_Unshelve277Request, body).unshelve
        return Unshelve() if asked is None else Unshelve(zone_given=True, zone=asked.availability_zone)
    return Unshelve()
