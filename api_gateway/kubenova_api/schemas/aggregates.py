"""Aggregate request bodies: create, update, the add_host/remove_host/set_metadata actions and
the 2.81 image cache request, with Nova's JSON-schema rules (``schemas/aggregates.py`` there)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from kubenova_api.schemas.parameter_types import (
    Name,
    SchemaError,
    UuidString,
    az_name,
    fqdn,
    name_with_leading_trailing_spaces,
)
from kubenova_api.schemas.server_metadata import check_metadata
from kubenova_api.schemas.validation import StrictBody


def _zone_or_null(value: Any) -> str | None:
    """``{'oneOf': [parameter_types.az_name, {'type': 'null'}]}``."""
    if value is None:
        return None
    try:
        return az_name(value)
    except SchemaError:
        raise SchemaError(f"{value!r} is not valid under any of the given schemas") from None


Zone = Annotated[str | None, BeforeValidator(_zone_or_null)]
# Update names may have outer whitespace (Nova strips it); a null is refused.
UpdateName = Annotated[str | None, BeforeValidator(name_with_leading_trailing_spaces)]
HostName = Annotated[str, BeforeValidator(fqdn)]


class AggregateCreate(StrictBody):
    name: Name
    availability_zone: Zone = None


class AggregateCreateRequest(StrictBody):
    aggregate: AggregateCreate


class AggregateUpdate(StrictBody):
    """``anyOf`` name / availability_zone; ``availability_zone: null`` is valid JSON here (Nova
    refuses an empty zone later)."""

    name: UpdateName = None
    availability_zone: Zone = None

    @model_validator(mode="after")
    def _something(self) -> AggregateUpdate:
        if not self.model_fields_set:
            raise SchemaError("{} is not valid under any of the given schemas")
        return self


class AggregateUpdateRequest(StrictBody):
    aggregate: AggregateUpdate


class HostRef(StrictBody):
    host: HostName


class AddHostRequest(StrictBody):
    add_host: HostRef


class RemoveHostRequest(StrictBody):
    remove_host: HostRef


class MetadataBody(StrictBody):
    """``parameter_types.metadata_with_null``."""

    metadata: Annotated[dict[str, str | None], BeforeValidator(lambda v: check_metadata(v, nullable=True))]


class SetMetadataRequest(StrictBody):
    set_metadata: MetadataBody


class ImageRef(StrictBody):
    id: UuidString


class CacheImagesRequest(StrictBody):
    cache: Annotated[list[ImageRef], Field(min_length=1)]
