"""Query-string rules shared by the list and show routes: Nova's query schemas allow unknown
parameters (and ignore them) until 2.75, and refuse them from 2.75 on the routes that changed
then (servers, flavors, keypairs, limits, quota sets, services, ...)."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from kubenova_api import errors
from kubenova_api.microversions import APIVersion

STRICT_SINCE = "2.75"


def unexpected(names: Iterable[str]) -> str:
    """jsonschema's ``additionalProperties`` wording (extras sorted, quoted by repr)."""
    extras = sorted(names)
    verb = "was" if len(extras) == 1 else "were"
    return f"Additional properties are not allowed ({', '.join(repr(e) for e in extras)} {verb} unexpected)"


def refuse_unknown(
    query: Iterable[str], known: Collection[str], version: APIVersion, *, since: str = STRICT_SINCE
) -> None:
    """400 for parameters outside ``known`` from ``since``; below it they are ignored."""
    if version < since:
        return
    extras = {name for name in query if name not in known}
    if extras:
        raise errors.BadRequestError(unexpected(extras))
