"""``migrate`` and ``os-migrateLive`` bodies (Nova's ``schemas/migrate_server.py``): before 2.56
Nova does not look at a migrate body; from 2.56 ``{"migrate": null}`` or ``{"migrate": {"host":
<fqdn or null>}}``. ``os-migrateLive``: ``parse_migrate_live``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from kubenova.domain import migration_rules
from kubenova_api import errors
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.parameter_types import Boolean, fqdn, to_boolean
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


def _block_migration_auto(value: Any) -> bool | None:
    """From 2.25 ``block_migration`` is a boolean or ``"auto"`` (``None``)."""
    return None if value == "auto" else to_boolean(value)


class _LiveV20(StrictBody):
    block_migration: Boolean
    disk_over_commit: Boolean
    host: Annotated[str | None, BeforeValidator(_host)]


class _LiveV225(StrictBody):
    block_migration: Annotated[bool | None, BeforeValidator(_block_migration_auto)]
    host: Annotated[str | None, BeforeValidator(_host)]


class _LiveV230(_LiveV225):
    force: Boolean = False


class _LiveRequestV20(StrictBody):
    os_migrate_live: _LiveV20 = Field(alias="os-migrateLive")


class _LiveRequestV225(StrictBody):
    os_migrate_live: _LiveV225 = Field(alias="os-migrateLive")


class _LiveRequestV230(StrictBody):
    os_migrate_live: _LiveV230 = Field(alias="os-migrateLive")


@dataclass(frozen=True)
class LiveMigrate:
    host: str | None
    block_migration: bool | None
    """``None``: ``auto``. KubeVirt decides by itself whether disks are copied (a volume on
    storage both Nodes reach is not; a local one is), so the value is checked and not used."""
    force: bool = False


def parse_migrate_live(body: Any, version: APIVersion) -> LiveMigrate:
    """``os-migrateLive`` per microversion: ``disk_over_commit`` before 2.25, ``auto`` from 2.25,
    ``force`` from 2.30 to 2.67 (a forced migration needs a host)."""
    if version < "2.25":
        old = parse_body(_LiveRequestV20, body).os_migrate_live
        return LiveMigrate(old.host, old.block_migration)
    if version < "2.30" or version >= "2.68":
        mid = parse_body(_LiveRequestV225, body).os_migrate_live
        return LiveMigrate(mid.host, mid.block_migration)
    new = parse_body(_LiveRequestV230, body).os_migrate_live
    if new.force and not new.host:
        raise errors.BadRequestError(migration_rules.NO_FORCE_WITHOUT_HOST)
    return LiveMigrate(new.host, new.block_migration, new.force)
