"""Server request bodies: create (2.1 … 2.103) and update, with Nova's per-version fields.

One model per body holds every field Nova has ever accepted; ``FIELD_VERSIONS`` says from which
microversion (and until which) each exists. A field sent outside its range is refused exactly as
Nova's JSON schema refuses an unknown property, so the versions live in one table instead of a
subclass per microversion.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, TypeAdapter, ValidationError, field_validator

from kubenova_api import errors
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.parameter_types import (
    Boolean,
    Name,
    SchemaError,
    description,
    image_id_or_empty_string,
    is_uuid_like,
)
from kubenova_api.schemas.queries import unexpected
from kubenova_api.schemas.server_metadata import check_metadata
from kubenova_api.schemas.server_tags import MAX_TAGS
from kubenova_api.schemas.server_types import (
    AccessIPv4,
    AccessIPv6,
    FixedIp,
    FlavorRef,
    NetworkTag,
    OptionalBoolean,
    OptionalCount,
    OptionalFqdn,
    OptionalName,
    OptionalString,
    Port,
    Tag,
    UserData,
)
from kubenova_api.schemas.validation import StrictBody, parse_body

# Nova's parameter_types.hostname (2.90: a DNS label of 2-63) and fqdn (2.94: 1-255).
_HOSTNAME = re.compile(r"^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$")
_HOSTNAME_LENGTHS = (2, 63)
_FQDN = re.compile(r"^[a-zA-Z0-9-._]*$")
_FQDN_LENGTHS = (1, 255)

Description = Annotated[str | None, BeforeValidator(description)]


class NetworkRequest(StrictBody):
    """One entry of ``networks``; kubenova has one network, so ``uuid`` may name only it. From
    2.37 ``uuid`` must be a UUID (checked in ``parse_create``)."""

    uuid: OptionalString = None
    port: Port = None
    fixed_ip: FixedIp = None
    tag: NetworkTag = None


class BlockDevice(StrictBody):
    """A ``block_device_mapping_v2`` entry. kubenova boots from images only (image → local)."""

    source_type: Literal["image", "volume", "snapshot", "blank"] | None = None
    destination_type: Literal["local", "volume"] | None = None
    uuid: str | None = None
    image_id: str | None = None
    volume_id: str | None = None
    snapshot_id: str | None = None
    boot_index: int | str | None = None
    delete_on_termination: Boolean | None = None
    volume_size: int | str | None = None
    device_name: str | None = None
    device_type: str | None = None
    disk_bus: str | None = None
    guest_format: str | None = None
    no_device: bool | None = None
    connection_info: str | None = None
    tag: str | None = None
    volume_type: str | None = None


class SecurityGroupRef(StrictBody):
    name: Name


class ServerCreate(StrictBody):
    """Every field of ``server`` in Nova's create schema, gated by ``FIELD_VERSIONS``."""

    name: Name
    image_ref: Annotated[str | None, BeforeValidator(image_id_or_empty_string)] = Field(
        default=None, alias="imageRef"
    )
    flavor_ref: FlavorRef = Field(alias="flavorRef")
    admin_pass: OptionalString = Field(default=None, alias="adminPass")
    metadata: dict[str, str] = Field(default_factory=dict)
    networks: list[NetworkRequest] | Literal["auto", "none"] | None = None
    disk_config: Literal["AUTO", "MANUAL"] | None = Field(default=None, alias="OS-DCF:diskConfig")
    access_ipv4: AccessIPv4 = Field(default=None, alias="accessIPv4")
    access_ipv6: AccessIPv6 = Field(default=None, alias="accessIPv6")
    personality: list[dict[str, Any]] | None = None
    availability_zone: OptionalName = None
    block_device_mapping: list[dict[str, Any]] | None = None
    block_device_mapping_v2: list[BlockDevice] | None = None
    config_drive: OptionalBoolean = None
    key_name: OptionalName = None
    min_count: OptionalCount = None
    max_count: OptionalCount = None
    return_reservation_id: OptionalBoolean = None
    security_groups: list[SecurityGroupRef] | None = None
    user_data: UserData = None
    description: Description = None
    tags: Annotated[list[Tag] | None, Field(max_length=MAX_TAGS)] = None
    trusted_image_certificates: list[str] | None = None
    host: OptionalFqdn = None
    hypervisor_hostname: OptionalFqdn = None
    hostname: OptionalString = None

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata(cls, value: Any) -> dict[str, str]:
        return check_metadata(value)


class ServerCreateRequest(StrictBody):
    server: ServerCreate
    scheduler_hints: dict[str, Any] | None = Field(default=None, alias="OS-SCH-HNT:scheduler_hints")
    os_scheduler_hints: dict[str, Any] | None = Field(default=None, alias="os:scheduler_hints")


def _name_or_none(value: Any) -> str | None:
    """``parameter_types.name_or_none``: a string of 1-255, or null."""
    if value is None:
        return None
    if isinstance(value, str) and 1 <= len(value) <= 255:
        return value
    raise SchemaError(f"{value!r} is not valid under any of the given schemas")


class ServerUpdate(StrictBody):
    name: OptionalName = None
    description: Description = None
    access_ipv4: AccessIPv4 = Field(default=None, alias="accessIPv4")
    access_ipv6: AccessIPv6 = Field(default=None, alias="accessIPv6")
    disk_config: Literal["AUTO", "MANUAL"] | None = Field(default=None, alias="OS-DCF:diskConfig")
    hostname: OptionalString = None
    pinned_availability_zone: Annotated[str | None, BeforeValidator(_name_or_none)] = None


class ServerUpdateRequest(StrictBody):
    server: ServerUpdate


# Field (by its JSON name) → (first version, last version or None). Absent: every version.
FIELD_VERSIONS: dict[str, tuple[str, str | None]] = {
    "description": ("2.19", None),
    "personality": ("2.1", "2.56"),
    "tags": ("2.52", None),
    "trusted_image_certificates": ("2.63", None),
    "host": ("2.74", None),
    "hypervisor_hostname": ("2.74", None),
    "hostname": ("2.90", None),
    "pinned_availability_zone": ("2.104", None),
}
# Network entry ``tag``: 2.32 to 2.36, and again from 2.42.
_NETWORK_TAG_VERSIONS = (("2.32", "2.36"), ("2.42", None))


def _available(version: APIVersion, low: str, high: str | None) -> bool:
    return version >= low and (high is None or version <= high)


def _object_refusal(owner: object, value: Any, message: str) -> errors.BadRequestError:
    """A refusal of an object's own (a property it may not have), as Nova words it."""
    return errors.BadRequestError(f"Invalid input for field/attribute {owner}. Value: {value}. {message}")


def _unexpected(field: str, owner: object, value: Any) -> errors.BadRequestError:
    return _object_refusal(owner, value, f"Additional properties are not allowed ('{field}' was unexpected)")


def _raw_server(body: Any) -> Any:
    return body.get("server") if isinstance(body, dict) else None


def _check_fields(model: BaseModel, version: APIVersion, raw: Any) -> None:
    extras = []
    for field_name in model.model_fields_set:
        info = type(model).model_fields[field_name]
        key = info.alias or field_name
        gate = FIELD_VERSIONS.get(key)
        if gate is not None and not _available(version, *gate):
            extras.append(key)
    if extras:
        raise _object_refusal("server", raw, unexpected(extras))


def check_hostname(hostname: str, version: APIVersion) -> None:
    pattern, (shortest, longest) = (
        (_FQDN, _FQDN_LENGTHS) if version >= "2.94" else (_HOSTNAME, _HOSTNAME_LENGTHS)
    )
    reason = None
    if not pattern.match(hostname):
        reason = f"'{hostname}' does not match '{pattern.pattern}'"
    elif len(hostname) < shortest:
        reason = f"'{hostname}' is too short"
    elif len(hostname) > longest:
        reason = f"'{hostname}' is too long"
    if reason is not None:
        raise errors.BadRequestError(
            f"Invalid input for field/attribute hostname. Value: {hostname}. {reason}"
        )


_NETWORKS_V237: TypeAdapter[Literal["auto", "none"] | list[NetworkRequest]] = TypeAdapter(
    Literal["auto", "none"] | list[NetworkRequest]
)


def _check_networks_v237(body: Any, version: APIVersion) -> None:
    """From 2.37 ``networks`` is Nova's ``oneOf`` [a list of {fixed_ip, port, uuid (a UUID), tag
    from 2.42}, 'auto' or 'none']: anything else fails the whole ``oneOf``."""
    server = body.get("server") if isinstance(body, dict) else None
    if not isinstance(server, dict) or "networks" not in server:
        return
    raw = server["networks"]
    valid = True
    try:
        parsed = _NETWORKS_V237.validate_python(raw)
    except ValidationError:
        valid = False
    else:
        if isinstance(parsed, list):
            valid = all(
                (entry.uuid is None or is_uuid_like(entry.uuid)) and (entry.tag is None or version >= "2.42")
                for entry in parsed
            )
    if not valid:
        raise errors.BadRequestError(
            f"Invalid input for field/attribute networks. Value: {raw}. "
            f"{raw!r} is not valid under any of the given schemas"
        )


def parse_create(body: Any, version: APIVersion) -> ServerCreateRequest:
    """Validate a create body for ``version`` (400 with Nova's wording otherwise)."""
    if version >= "2.37":
        _check_networks_v237(body, version)
    request = parse_body(ServerCreateRequest, body)
    server = request.server
    raw = _raw_server(body)
    _check_fields(server, version, raw)
    networks = server.networks
    if version >= "2.37":
        if networks is None:
            raise _object_refusal("server", raw, "'networks' is a required property")
    elif isinstance(networks, str):
        raise errors.BadRequestError(
            f"Invalid input for field/attribute networks. Value: {networks}. "
            f"'{networks}' is not of type 'array'"
        )
    if isinstance(networks, list):
        for index, entry in enumerate(networks):
            if entry.tag is not None and not any(
                _available(version, low, high) for low, high in _NETWORK_TAG_VERSIONS
            ):
                raise _unexpected("tag", index, raw["networks"][index])
    if server.hostname is not None:
        check_hostname(server.hostname, version)
    return request


def parse_update(body: Any, version: APIVersion) -> ServerUpdate:
    update = parse_body(ServerUpdateRequest, body).server
    _check_fields(update, version, _raw_server(body))
    if update.hostname is not None:
        check_hostname(update.hostname, version)
    return update
