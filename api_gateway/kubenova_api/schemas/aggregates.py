"""Aggregate request bodies: create, update, the add_host/remove_host/set_metadata actions and
the 2.81 image cache request, with Nova's JSON-schema rules (``schemas/aggregates.py`` there)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from kubenova_api.schemas.validation import StrictBody

# Nova's parameter_types.metadata_with_null key pattern.
METADATA_KEY = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")


def _no_outer_whitespace(value: str) -> str:
    if value != value.strip():
        raise ValueError("must not start or end with whitespace")
    return value


def _no_colon(value: str) -> str:
    if ":" in value:
        raise ValueError("availability zone names may not contain ':'")
    return value


Name = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_no_outer_whitespace)]
ZoneName = Annotated[
    str,
    Field(min_length=1, max_length=255),
    AfterValidator(_no_outer_whitespace),
    AfterValidator(_no_colon),
]
# parameter_types.fqdn: what a compute host name may look like.
HostName = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[a-zA-Z0-9-._]*$")]
MetadataValue = Annotated[str, Field(max_length=255)]


class AggregateCreate(StrictBody):
    name: Name
    availability_zone: ZoneName | None = None


class AggregateCreateRequest(StrictBody):
    aggregate: AggregateCreate


class AggregateUpdate(StrictBody):
    """At least one of the two; ``availability_zone: null`` is valid JSON here (Nova refuses it later)."""

    name: Name | None = None
    availability_zone: ZoneName | None = None

    @field_validator("name")
    @classmethod
    def _name_not_null(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError("None is not of type 'string'")
        return value

    @model_validator(mode="after")
    def _something(self) -> AggregateUpdate:
        if not self.model_fields_set:
            raise ValueError("'name' or 'availability_zone' is a required property")
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
    metadata: dict[str, MetadataValue | None]

    @model_validator(mode="after")
    def _keys(self) -> MetadataBody:
        for key in self.metadata:
            if not METADATA_KEY.match(key):
                raise ValueError(f"Additional properties are not allowed ('{key}' was unexpected)")
        return self


class SetMetadataRequest(StrictBody):
    set_metadata: MetadataBody


class ImageRef(StrictBody):
    id: Annotated[str, Field(min_length=1, max_length=255)]


class CacheImagesRequest(StrictBody):
    cache: Annotated[list[ImageRef], Field(min_length=1)]
