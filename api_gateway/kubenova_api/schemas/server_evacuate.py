"""The ``evacuate`` action body (Nova's ``schemas/evacuate.py``) per microversion:

- before 2.14: ``host`` (a hostname), ``onSharedStorage`` (a boolean, required), ``adminPass``;
- 2.14 to 2.28: ``host``, ``adminPass`` (``onSharedStorage`` removed);
- 2.29 to 2.67: also ``force`` (a boolean; a forced evacuation needs a host);
- from 2.68: ``force`` removed again.

No other property anywhere (``additionalProperties: false``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from kubenova.domain import migration_rules
from kubenova_api import errors
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.parameter_types import Boolean, fqdn, string
from kubenova_api.schemas.validation import StrictBody, parse_body

Host = Annotated[str | None, BeforeValidator(fqdn)]
"""A hostname; absent: the scheduler chooses (``null`` is no string: 400, as Nova's schema)."""
Password = Annotated[str | None, BeforeValidator(string)]


class _EvacuateV20(StrictBody):
    host: Host = None
    on_shared_storage: Boolean = Field(alias="onSharedStorage")
    admin_pass: Password = Field(default=None, alias="adminPass")


class _EvacuateV214(StrictBody):
    host: Host = None
    admin_pass: Password = Field(default=None, alias="adminPass")


class _EvacuateV229(_EvacuateV214):
    force: Boolean = False


class _RequestV20(StrictBody):
    evacuate: _EvacuateV20


class _RequestV214(StrictBody):
    evacuate: _EvacuateV214


class _RequestV229(StrictBody):
    evacuate: _EvacuateV229


@dataclass(frozen=True)
class Evacuate:
    host: str | None
    admin_pass: str | None
    on_shared_storage: bool | None = None
    """Before 2.14 only."""
    force: bool = False


def parse_evacuate(body: Any, version: APIVersion) -> Evacuate:
    """The evacuate arguments for ``version``; 400 with Nova's wording."""
    if version < "2.14":
        old = parse_body(_RequestV20, body).evacuate
        return Evacuate(old.host, old.admin_pass, on_shared_storage=old.on_shared_storage)
    if version < "2.29" or version >= "2.68":
        mid = parse_body(_RequestV214, body).evacuate
        return Evacuate(mid.host, mid.admin_pass)
    new = parse_body(_RequestV229, body).evacuate
    if new.force and not new.host:
        raise errors.BadRequestError(migration_rules.NO_FORCE_WITHOUT_HOST)
    return Evacuate(new.host, new.admin_pass, force=new.force)
