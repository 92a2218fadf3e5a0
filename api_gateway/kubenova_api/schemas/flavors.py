"""Flavor request bodies: create (2.1, +description 2.55), update (2.55), extra specs, access actions."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, StrictBool, field_validator

from kubenova_api.schemas.validation import StrictBody

FLAVOR_ID_PATTERN = r"^[a-zA-Z0-9. _-]+$"
EXTRA_SPEC_KEY_PATTERN = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")
# Nova's bounds come from its database columns (signed 32-bit) and a float's range.
_INT_MAX = 2**31 - 1

Positive = Annotated[int, Field(ge=1, le=_INT_MAX)]
NonNegative = Annotated[int, Field(ge=0, le=_INT_MAX)]


class FlavorCreate(StrictBody):
    name: str = Field(min_length=1, max_length=255)
    id: str | None = Field(default=None, max_length=255, pattern=FLAVOR_ID_PATTERN)
    ram: Positive
    vcpus: Positive
    disk: NonNegative
    ephemeral: NonNegative = Field(default=0, alias="OS-FLV-EXT-DATA:ephemeral")
    swap: NonNegative = 0
    rxtx_factor: float = Field(default=1.0, gt=0, le=3.40282e38)
    is_public: StrictBool = Field(default=True, alias="os-flavor-access:is_public")

    @field_validator("name", "id")
    @classmethod
    def _no_outer_whitespace(cls, value: str | None) -> str | None:
        if value is not None and value != value.strip():
            raise ValueError("must not start or end with whitespace")
        return value


class FlavorCreateV255(FlavorCreate):
    description: str | None = Field(default=None, max_length=65535)


class FlavorCreateRequest(StrictBody):
    flavor: FlavorCreate


class FlavorCreateRequestV255(StrictBody):
    flavor: FlavorCreateV255


class FlavorUpdate(StrictBody):
    description: str | None = Field(max_length=65535)


class FlavorUpdateRequest(StrictBody):
    flavor: FlavorUpdate


SpecValue = str | int | float | bool


class ExtraSpecsRequest(StrictBody):
    extra_specs: dict[str, SpecValue]


class TenantRef(StrictBody):
    tenant: str = Field(min_length=1, max_length=255)


class AddTenantAccess(StrictBody):
    add_tenant_access: TenantRef = Field(alias="addTenantAccess")


class RemoveTenantAccess(StrictBody):
    remove_tenant_access: TenantRef = Field(alias="removeTenantAccess")
