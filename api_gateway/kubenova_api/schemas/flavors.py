"""Flavor request bodies (Nova's ``schemas/flavors.py``): create (2.1, +description 2.55; the
legacy v2 name), update (2.55), extra specs, access actions."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from kubenova_api.schemas.parameter_types import (
    SQL_SP_FLOAT_MAX,
    Boolean,
    FlavorNonNegative,
    FlavorPositive,
    Name,
    SchemaError,
    WholeMessageError,
    description,
    name_with_leading_trailing_spaces,
)
from kubenova_api.schemas.validation import StrictBody

FLAVOR_ID_PATTERN = re.compile(r"^(?! )[a-zA-Z0-9. _-]+(?<! )$")
EXTRA_SPEC_KEY_PATTERN = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")
RXTX_PATTERN = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def _flavor_id(value: Any) -> str | None:
    """Nova's ``id``: a string (1-255 of ``[a-zA-Z0-9. _-]``, no outer space), a number or null;
    Nova stores ``str(id)`` and generates a UUID for a false one (null, 0)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SchemaError(f"{value!r} is not of type 'string', 'number', 'null'")
    if isinstance(value, str):
        if value == "":
            raise SchemaError("'' should be non-empty")
        if len(value) > 255:
            raise SchemaError(f"{value!r} is too long")
        if not FLAVOR_ID_PATTERN.match(value):
            raise SchemaError(f"{value!r} does not match {FLAVOR_ID_PATTERN.pattern!r}")
        return value
    return str(value) if value else None


def _rxtx_factor(value: Any) -> float:
    """``rxtx_factor``: a number > 0 or a decimal string, at most SQL_SP_FLOAT_MAX."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SchemaError(f"{value!r} is not of type 'number', 'string'")
    if isinstance(value, str):
        if not RXTX_PATTERN.match(value):
            raise SchemaError(f"{value!r} does not match {RXTX_PATTERN.pattern!r}")
    elif value <= 0:
        raise SchemaError(f"{value!r} is less than or equal to the minimum of 0")
    number = float(value)
    if number > SQL_SP_FLOAT_MAX:
        raise SchemaError(f"{value!r} is greater than the maximum of {SQL_SP_FLOAT_MAX!r}")
    if number <= 0:
        # A string "0" passes the schema; Nova's flavors.create refuses it.
        raise WholeMessageError(
            "Invalid input received: 'rxtx_factor' argument must be a float between 0 and "
            f"{SQL_SP_FLOAT_MAX:g}"
        )
    return number


def _flavor_description(value: Any) -> str | None:
    return description(value, max_length=65535)


FlavorId = Annotated[str | None, BeforeValidator(_flavor_id)]
RxtxFactor = Annotated[float, BeforeValidator(_rxtx_factor)]
FlavorDescription = Annotated[str | None, BeforeValidator(_flavor_description)]


class FlavorCreate(StrictBody):
    name: Name
    id: FlavorId = None
    ram: FlavorPositive
    vcpus: FlavorPositive
    disk: FlavorNonNegative
    ephemeral: FlavorNonNegative = Field(default=0, alias="OS-FLV-EXT-DATA:ephemeral")
    swap: FlavorNonNegative = 0
    rxtx_factor: RxtxFactor = 1.0
    is_public: Boolean = Field(default=True, alias="os-flavor-access:is_public")


class FlavorCreateV20(FlavorCreate):
    """The legacy v2 endpoint: names may have outer whitespace (Nova strips it)."""

    name: Annotated[str, BeforeValidator(name_with_leading_trailing_spaces)]


class FlavorCreateV255(FlavorCreate):
    description: FlavorDescription = None


class FlavorCreateV2102(FlavorCreateV255):
    """2.102 removes ``rxtx_factor``."""

    @model_validator(mode="before")
    @classmethod
    def _no_rxtx(cls, data: Any) -> Any:
        if isinstance(data, dict) and "rxtx_factor" in data:
            raise SchemaError("Additional properties are not allowed ('rxtx_factor' was unexpected)")
        return data


class FlavorCreateRequest(StrictBody):
    flavor: FlavorCreate


class FlavorCreateRequestV20(StrictBody):
    flavor: FlavorCreateV20


class FlavorCreateRequestV255(StrictBody):
    flavor: FlavorCreateV255


class FlavorCreateRequestV2102(StrictBody):
    flavor: FlavorCreateV2102


class FlavorUpdate(StrictBody):
    description: FlavorDescription


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
