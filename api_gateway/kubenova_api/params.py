"""Query-parameter parsing shared by routers: Nova's lenient booleans and integer filters.

Clients send Python reprs (``is_public=None``, ``deleted=False``, ``all_tenants=True``), so
booleans are parsed case-insensitively, like oslo's ``bool_from_string``.
"""

from __future__ import annotations

from kubenova_api import errors

_TRUE = frozenset({"1", "t", "true", "on", "y", "yes"})
_FALSE = frozenset({"0", "f", "false", "off", "n", "no"})


def parse_bool(value: str, *, name: str) -> bool:
    """Strict boolean; anything else is a 400 naming the parameter."""
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise errors.BadRequestError(f"Invalid {name} filter [{value}]")


def parse_tristate(value: str | None, *, name: str, default: bool | None) -> bool | None:
    """``None``/``none`` → None (no filter); absent → ``default``; else a boolean."""
    if value is None:
        return default
    if value.strip().lower() == "none":
        return None
    return parse_bool(value, name=name)


def parse_int(value: str | None, *, name: str, minimum: int = 0) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise errors.BadRequestError(f"Invalid {name} filter [{value}]") from None
    if number < minimum:
        raise errors.BadRequestError(f"Invalid {name} filter [{value}]")
    return number
