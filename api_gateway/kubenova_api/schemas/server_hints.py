"""Scheduler hints of a server create (``os:scheduler_hints``), validated as Nova validates them."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

from pydantic import BaseModel, Field

from kubenova_api import errors
from kubenova_api.schemas import parameter_types
from kubenova_api.schemas.parameter_types import SchemaError, WholeMessageError
from kubenova_api.schemas.server_types import ip_address

_CIDR = re.compile(r"^/[0-9a-f.:]+$")
DOCUMENTED = frozenset(
    {
        "group",
        "same_host",
        "different_host",
        "query",
        "target_cell",
        "different_cell",
        "build_near_host_ip",
        "cidr",
    }
)
"""The hints Nova's schema defines (``_hints`` in nova/api/openstack/compute/schemas/servers.py)."""
HONOURED = frozenset({"group", "same_host", "different_host"})
"""The documented hints kubenova's scheduler acts on; the others are validated, kept and ignored."""

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


class Hints(BaseModel):
    """The scheduler hints kubenova honours, validated as Nova validates them."""

    group: str | None = None
    same_host: list[str] = Field(default_factory=list)
    different_host: list[str] = Field(default_factory=list)


def _uuid_list(name: str, value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, str) or not _UUID.match(item):
            raise errors.BadRequestError(
                f"Invalid input for field/attribute {name}. Value: {value}. {item!r} is not a 'uuid'"
            )
    return [str(item) for item in items]


def _invalid(name: str, value: Any, reason: str) -> errors.BadRequestError:
    return errors.BadRequestError(f"Invalid input for field/attribute {name}. Value: {value}. {reason}")


def _other_documented(key: str, value: Any) -> None:
    """Nova's schema for the documented hints kubenova does not act on (400 like Nova)."""
    if key == "query" and not isinstance(value, (str, dict)):
        raise _invalid(key, value, f"{value!r} is not of type 'string', 'object'")
    if key == "target_cell":
        try:
            parameter_types.name(value)
        except WholeMessageError as error:
            raise errors.BadRequestError(str(error)) from None
        except SchemaError as error:
            raise _invalid(key, value, str(error)) from None
    if key == "different_cell":
        items = value if isinstance(value, list) else [value]
        if not isinstance(value, (str, list)):
            raise _invalid(key, value, f"{value!r} is not of type 'string', 'array'")
        for item in items:
            if not isinstance(item, str):
                raise _invalid(key, value, f"{item!r} is not of type 'string'")
    if key == "cidr":
        if not isinstance(value, str):
            raise _invalid(key, value, f"{value!r} is not of type 'string'")
        if not _CIDR.match(value):
            raise _invalid(key, value, f"{value!r} does not match {_CIDR.pattern!r}")


def parse_hints(raw: dict[str, Any]) -> tuple[Hints, dict[str, list[str]]]:
    """(the hints the scheduler honours, every hint as Nova stores it: lists of strings).

    Nova's hint schema validates the hints its filters read (``group`` a UUID, ``same_host`` and
    ``different_host`` UUIDs or lists of them, ``build_near_host_ip`` an IPv4 address) and lets
    any other hint through for out-of-tree filters (``additionalProperties: True``). So does
    kubenova: every hint is kept for display, the other documented ones (``query``,
    ``target_cell``, ``different_cell``, ``cidr``) are validated by Nova's schema, and only
    ``HONOURED`` reach the scheduler (the Server's typed ``spec.schedulerHints``).
    """
    hints = Hints()
    stored: dict[str, list[str]] = {}
    for key, value in raw.items():
        if key == "group":
            group = _uuid_list("group", value)
            if len(group) != 1:
                raise errors.BadRequestError(f"Invalid input for field/attribute group. Value: {value}.")
            hints.group = group[0]
            stored[key] = group
        elif key in ("same_host", "different_host"):
            ids = _uuid_list(key, value)
            setattr(hints, key, ids)
            stored[key] = ids
        elif key == "build_near_host_ip":
            if not isinstance(value, str) or not isinstance(ip_address(value), ipaddress.IPv4Address):
                raise errors.BadRequestError(
                    f"Invalid input for field/attribute build_near_host_ip. Value: {value}. "
                    f"{value!r} is not a 'ipv4'"
                )
            stored[key] = [value]
        else:
            _other_documented(key, value)
            values = value if isinstance(value, list) else [value]
            stored[key] = [v if isinstance(v, str) else json.dumps(v) for v in values]
    return hints, stored
