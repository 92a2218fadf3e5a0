"""Value types of the server bodies (Nova's ``parameter_types`` as ``schemas/servers.py`` uses
them): addresses, flavorRef, port ids, user data, and the optional forms of the shared types
(absent is ``None``; a JSON null is refused, as Nova's schemas refuse it)."""

from __future__ import annotations

import base64
import binascii
import ipaddress
from typing import Annotated, Any

from pydantic import BeforeValidator

from kubenova_api.schemas.parameter_types import (
    SchemaError,
    fqdn,
    is_uuid_like,
    name,
    positive_integer,
    string,
    tag,
    to_boolean,
)

MAX_USER_DATA = 65535


def ip_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _check_ipv4(value: Any) -> str:
    """``parameter_types.accessIPv4``: a string in the ``ipv4`` format."""
    checked = string(value)
    if not isinstance(ip_address(checked), ipaddress.IPv4Address):
        raise SchemaError(f"{checked!r} is not a 'ipv4'")
    return checked


def _check_ipv6(value: Any) -> str:
    """``parameter_types.accessIPv6``, kept in its canonical compressed form (Nova stores an IP
    address object and shows ``str()`` of it: ``0000:…:babe:220.12.22.2`` comes back
    ``::babe:dc0c:1602``)."""
    checked = string(value)
    parsed = ip_address(checked)
    if not isinstance(parsed, ipaddress.IPv6Address):
        raise SchemaError(f"{checked!r} is not a 'ipv6'")
    return str(parsed)


def _check_ip(value: Any) -> str:
    """``parameter_types.ip_address``: an IPv4 or IPv6 address."""
    checked = string(value)
    if ip_address(checked) is None:
        raise SchemaError(f"{checked!r} is not valid under any of the given schemas")
    return checked


def _flavor_ref(value: Any) -> str | int:
    """``parameter_types.flavor_ref``: a non-empty string or an integer."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise SchemaError(f"{value!r} is not of type 'string', 'integer'")
    if value == "":
        raise SchemaError("'' should be non-empty")
    return value


def _port(value: Any) -> str | None:
    """``{'type': ['string', 'null'], 'format': 'uuid'}``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise SchemaError(f"{value!r} is not of type 'string', 'null'")
    if not is_uuid_like(value):
        raise SchemaError(f"{value!r} is not a 'uuid'")
    return value


def _user_data(value: Any) -> str:
    """Nova's ``format: base64``, which ignores whitespace; stored without it (the CRD's pattern
    does not allow spaces or tabs, and the decoded bytes are the same)."""
    checked = string(value)
    canonical = "".join(checked.split())
    try:
        base64.b64decode(canonical, validate=True)
    except (binascii.Error, ValueError):
        raise SchemaError(f"{checked!r} is not a 'base64'") from None
    if len(checked) > MAX_USER_DATA:
        raise SchemaError(f"{checked!r} is too long")
    return canonical


AccessIPv4 = Annotated[str | None, BeforeValidator(_check_ipv4)]
AccessIPv6 = Annotated[str | None, BeforeValidator(_check_ipv6)]
OptionalName = Annotated[str | None, BeforeValidator(name)]
OptionalString = Annotated[str | None, BeforeValidator(string)]
OptionalFqdn = Annotated[str | None, BeforeValidator(fqdn)]
OptionalBoolean = Annotated[bool | None, BeforeValidator(to_boolean)]
OptionalCount = Annotated[int | None, BeforeValidator(positive_integer)]
Tag = Annotated[str, BeforeValidator(tag)]
Port = Annotated[str | None, BeforeValidator(_port)]
FixedIp = Annotated[str | None, BeforeValidator(_check_ip)]
FlavorRef = Annotated[str | int, BeforeValidator(_flavor_ref)]
UserData = Annotated[str | None, BeforeValidator(_user_data)]
NetworkTag = Annotated[str | None, BeforeValidator(tag)]
