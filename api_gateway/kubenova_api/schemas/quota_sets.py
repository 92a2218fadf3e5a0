"""Quota set update bodies: one integer (or integer string) ≥ -1 per resource, plus ``force``.

The resources a body may name shrink with the microversion as Nova's did: the network ones go
at 2.36 and the personality (injected file) ones at 2.57; naming them then is a 400.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.parameter_types import MAX_INT, Boolean, SchemaError
from kubenova_api.schemas.validation import StrictBody, parse_body

_QUOTA_PATTERN = re.compile(r"^-?[0-9]+$")


def _quota(value: object) -> int:
    """Nova's ``_common_quota``: an integer or an integer string, -1 (unlimited) to MAX_INT."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise SchemaError(f"{value!r} is not of type 'integer', 'string'")
    if isinstance(value, str) and not _QUOTA_PATTERN.match(value):
        raise SchemaError(f"{value!r} does not match '^-?[0-9]+$'")
    number = int(value)
    if number < -1:
        raise SchemaError(f"{value!r} is less than the minimum of -1")
    if number > MAX_INT:
        raise SchemaError(f"{value!r} is greater than the maximum of {MAX_INT}")
    return number


# Absent is None; a JSON null is refused like any other non-integer.
Limit = Annotated[int | None, BeforeValidator(_quota)]
Force = Boolean


class QuotaSetV257(StrictBody):
    """The limits that exist from 2.57."""

    force: Force = False
    instances: Limit = None
    cores: Limit = None
    ram: Limit = None
    key_pairs: Limit = None
    metadata_items: Limit = None
    server_groups: Limit = None
    server_group_members: Limit = None

    def limits(self) -> dict[str, int]:
        """The limits the body sets (by resource name)."""
        return {
            name: value
            for name, value in self.model_dump(exclude={"force"}).items()
            if name in self.model_fields_set and value is not None
        }


class QuotaSetV236(QuotaSetV257):
    """2.36 to 2.56: the personality limits still exist."""

    injected_files: Limit = None
    injected_file_content_bytes: Limit = None
    injected_file_path_bytes: Limit = None


class QuotaSetV21(QuotaSetV236):
    """Before 2.36: the network limits too."""

    fixed_ips: Limit = None
    floating_ips: Limit = None
    security_groups: Limit = None
    security_group_rules: Limit = None


class QuotaSetUpdateV257(StrictBody):
    quota_set: QuotaSetV257


class QuotaSetUpdateV236(StrictBody):
    quota_set: QuotaSetV236


class QuotaSetUpdateV21(StrictBody):
    quota_set: QuotaSetV21


def parse_update(body: object, version: APIVersion) -> QuotaSetV257:
    """Validate an update body for ``version``; returns the inner ``quota_set``."""
    if version >= "2.57":
        return parse_body(QuotaSetUpdateV257, body).quota_set
    if version >= "2.36":
        return parse_body(QuotaSetUpdateV236, body).quota_set
    return parse_body(QuotaSetUpdateV21, body).quota_set
