"""The ``rebuild`` action body (Nova's ``schemas/servers.py`` rebuild schemas per microversion):
``imageRef`` (required), name, adminPass, metadata, preserve_ephemeral, OS-DCF:diskConfig,
accessIPv4/6, personality (until 2.56), description (2.19), key_name (2.54, null unsets),
user_data (2.57, null unsets), trusted_image_certificates (2.63), hostname (2.90, FQDN from 2.94).
A field outside its microversions is refused as Nova's schema refuses an unknown property."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from kubenova_api import errors
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.parameter_types import Boolean
from kubenova_api.schemas.server_metadata import check_metadata
from kubenova_api.schemas.server_types import AccessIPv4, AccessIPv6, OptionalName, UserData
from kubenova_api.schemas.servers import Description, check_hostname
from kubenova_api.schemas.validation import StrictBody, parse_body

FIELD_VERSIONS: dict[str, tuple[str, str | None]] = {
    "personality": ("2.1", "2.56"),
    "description": ("2.19", None),
    "key_name": ("2.54", None),
    "user_data": ("2.57", None),
    "trusted_image_certificates": ("2.63", None),
    "hostname": ("2.90", None),
}


class Rebuild(StrictBody):
    image_ref: str = Field(alias="imageRef", min_length=1)
    name: OptionalName = None
    admin_pass: str | None = Field(default=None, alias="adminPass")
    metadata: dict[str, str] | None = None
    preserve_ephemeral: Boolean = False
    disk_config: Literal["AUTO", "MANUAL"] | None = Field(default=None, alias="OS-DCF:diskConfig")
    access_ipv4: AccessIPv4 = Field(default=None, alias="accessIPv4")
    access_ipv6: AccessIPv6 = Field(default=None, alias="accessIPv6")
    personality: list[dict[str, Any]] | None = None
    description: Description = None
    key_name: str | None = Field(default=None, min_length=1, max_length=255)
    user_data: UserData = None
    trusted_image_certificates: list[str] | None = None
    hostname: str | None = Field(default=None, min_length=1, max_length=255)

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata(cls, value: Any) -> dict[str, str] | None:
        return None if value is None else check_metadata(value)


class RebuildRequest(StrictBody):
    rebuild: Rebuild


def parse_rebuild(body: Any, version: APIVersion) -> Rebuild:
    """Validate a rebuild body for ``version`` (400 with Nova's wording otherwise)."""
    rebuild = parse_body(RebuildRequest, body).rebuild
    for name in rebuild.model_fields_set:
        info = Rebuild.model_fields[name]
        key = info.alias or name
        low, high = FIELD_VERSIONS.get(key, ("2.1", None))
        if not (version >= low and (high is None or version <= high)):
            raise errors.BadRequestError(f"Additional properties are not allowed ('{key}' was unexpected)")
    if rebuild.hostname is not None:
        check_hostname(rebuild.hostname, version)
    return rebuild
