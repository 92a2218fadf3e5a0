"""Quota set update bodies: one integer (or integer string) ≥ -1 per resource, plus ``force``.

The resources a body may name shrink with the microversion as Nova's did: the network ones go
at 2.36 and the personality (injected file) ones at 2.57; naming them then is a 400.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.parameter_types import Boolean
from kubenova_api.schemas.validation import StrictBody, parse_body

_INT_MAX = 2**31 - 1


def _integer_string(value: object) -> object:
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.lstrip("-").isdigit() and stripped.count("-") <= 1 and not stripped.endswith("-"):
            return int(stripped)
        raise ValueError(f"'{value}' does not match '^-?[0-9]+$'")
    if isinstance(value, bool):
        raise ValueError(f"{value} is not of type 'integer', 'string'")
    return value


Limit = Annotated[int, BeforeValidator(_integer_string), Field(ge=-1, le=_INT_MAX)]
Force = Boolean


class QuotaSetV257(StrictBody):
    """The limits that exist from 2.57."""

    force: Force = False
    instances: Limit | None = None
    cores: Limit | None = None
    ram: Limit | None = None
    key_pairs: Limit | None = None
    metadata_items: Limit | None = None
    server_groups: Limit | None = None
    server_group_members: Limit | None = None

    def limits(self) -> dict[str, int]:
        """The limits the body sets (by resource name)."""
        return {
            name: value
            for name, value in self.model_dump(exclude={"force"}).items()
            if name in self.model_fields_set and value is not None
        }


class QuotaSetV236(QuotaSetV257):
    """2.36 to 2.56: the personality limits still exist."""

    injected_files: Limit | None = None
    injected_file_content_bytes: Limit | None = None
    injected_file_path_bytes: Limit | None = None


class QuotaSetV21(QuotaSetV236):
    """Before 2.36: the network limits too."""

    fixed_ips: Limit | None = None
    floating_ips: Limit | None = None
    security_groups: Limit | None = None
    security_group_rules: Limit | None = None


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
