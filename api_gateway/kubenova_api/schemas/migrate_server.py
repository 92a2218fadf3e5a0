"""``migrate`` bodies (Nova's ``schemas/migrate_server.py``): before 2.56 Nova does not look at
the body; from 2.56 ``{"migrate": null}`` or ``{"migrate": {"host": <fqdn or null>}}``."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.parameter_types import fqdn
from kubenova_api.schemas.validation import StrictBody, parse_body


def _host(value: Any) -> str | None:
    return None if value is None else fqdn(value)


class Migrate(StrictBody):
    host: Annotated[str | None, BeforeValidator(_host)] = None


class MigrateRequest(StrictBody):
    migrate: Migrate | None


def parse_migrate(body: Any, version: APIVersion) -> str | None:
    """The target host asked for (2.56), or ``None``: the scheduler chooses."""
    if version < "2.56":
        return None
    migrate = parse_body(MigrateRequest, body).migrate
    return migrate.host if migrate is not None else None
