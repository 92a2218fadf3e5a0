"""Server request bodies: create (2.1 … 2.100) and update, with Nova's per-version fields.

One model per body holds every field Nova has ever accepted; ``FIELD_VERSIONS`` says from which
microversion (and until which) each exists. A field sent outside its range is refused exactly as
Nova's JSON schema refuses an unknown property, so the versions live in one table instead of a
subclass per microversion.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, field_validator

from kubenova_api import errors
from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.parameter_types import Boolean, Name, description, to_boolean
from kubenova_api.schemas.server_metadata import check_metadata
from kubenova_api.schemas.server_tags import MAX_TAGS, check_tag
from kubenova_api.schemas.validation import StrictBody, parse_body

MAX_USER_DATA = 65535
# Nova's parameter_types.hostname (2.90: a DNS label of 2-63) and fqdn (2.94: 1-255).
_HOSTNAME = re.compile(r"^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$")
_HOSTNAME_LENGTHS = (2, 63)
_FQDN = re.compile(r"^[a-zA-Z0-9-._]*$")
_FQDN_LENGTHS = (1, 255)

Description = Annotated[str | None, BeforeValidator(description)]


def positive_int(value: Any) -> int:
    """Nova's ``parameter_types.positive_integer``: an integer >= 1, as a number or a string."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a positive integer")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        number = int(value)
    else:
        raise ValueError(f"{value!r} is not of type 'integer', 'string'")
    if number < 1:
        raise ValueError(f"{value!r} is less than the minimum of 1")
    return number


def ip_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _check_ipv4(value: str | None) -> str | None:
    if value is not None and not isinstance(ip_address(value), ipaddress.IPv4Address):
        raise ValueError(f"'{value}' is not a 'ipv4'")
    return value


def _check_ipv6(value: str | None) -> str | None:
    """An IPv6 address, kept in its canonical compressed form (Nova stores an IP address object
    and shows ``str()`` of it: ``0000:…:babe:220.12.22.2`` comes back ``::babe:dc0c:1602``)."""
    if value is None:
        return None
    parsed = ip_address(value)
    if not isinstance(parsed, ipaddress.IPv6Address):
        raise ValueError(f"'{value}' is not a 'ipv6'")
    return str(parsed)


class NetworkRequest(StrictBody):
    """One entry of ``networks``; kubenova has one network, so ``uuid`` may name only it."""

    uuid: str | None = None
    port: str | None = None
    fixed_ip: str | None = None
    tag: str | None = Field(default=None, max_length=60)


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
    image_ref: str | None = Field(default=None, alias="imageRef")
    flavor_ref: str | int = Field(alias="flavorRef")
    admin_pass: str | None = Field(default=None, alias="adminPass")
    metadata: dict[str, str] = Field(default_factory=dict)
    networks: Literal["auto", "none"] | list[NetworkRequest] | None = None
    disk_config: Literal["AUTO", "MANUAL"] | None = Field(default=None, alias="OS-DCF:diskConfig")
    access_ipv4: str | None = Field(default=None, alias="accessIPv4")
    access_ipv6: str | None = Field(default=None, alias="accessIPv6")
    personality: list[dict[str, Any]] | None = None
    availability_zone: Name | None = None
    block_device_mapping: list[dict[str, Any]] | None = None
    block_device_mapping_v2: list[BlockDevice] | None = None
    config_drive: Any = None
    key_name: Name | None = None
    min_count: Any = None
    max_count: Any = None
    return_reservation_id: Any = None
    security_groups: list[SecurityGroupRef] | None = None
    user_data: str | None = Field(default=None, max_length=MAX_USER_DATA)
    description: Description = None
    tags: list[str] | None = Field(default=None, max_length=MAX_TAGS)
    trusted_image_certificates: list[str] | None = None
    host: str | None = Field(default=None, min_length=1, max_length=255)
    hypervisor_hostname: str | None = Field(default=None, min_length=1, max_length=255)
    hostname: str | None = Field(default=None, min_length=1, max_length=255)

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata(cls, value: Any) -> dict[str, str]:
        return check_metadata(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return [check_tag(tag) for tag in value] if value is not None else None

    @field_validator("user_data")
    @classmethod
    def _user_data(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"'{value}' is not a 'base64'") from None
        return value

    _ipv4 = field_validator("access_ipv4")(_check_ipv4)
    _ipv6 = field_validator("access_ipv6")(_check_ipv6)

    @field_validator("config_drive", "return_reservation_id")
    @classmethod
    def _boolean(cls, value: Any) -> bool | None:
        return None if value is None else to_boolean(value)

    @field_validator("min_count", "max_count")
    @classmethod
    def _count(cls, value: Any) -> int | None:
        return None if value is None else positive_int(value)


class ServerCreateRequest(StrictBody):
    server: ServerCreate
    scheduler_hints: dict[str, Any] | None = Field(default=None, alias="OS-SCH-HNT:scheduler_hints")
    os_scheduler_hints: dict[str, Any] | None = Field(default=None, alias="os:scheduler_hints")


class ServerUpdate(StrictBody):
    name: Name | None = None
    description: Description = None
    access_ipv4: str | None = Field(default=None, alias="accessIPv4")
    access_ipv6: str | None = Field(default=None, alias="accessIPv6")
    disk_config: Literal["AUTO", "MANUAL"] | None = Field(default=None, alias="OS-DCF:diskConfig")
    hostname: str | None = Field(default=None, min_length=1, max_length=255)

    _ipv4 = field_validator("access_ipv4")(_check_ipv4)
    _ipv6 = field_validator("access_ipv6")(_check_ipv6)


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
}
# Network entry ``tag``: 2.32 to 2.36, and again from 2.42.
_NETWORK_TAG_VERSIONS = (("2.32", "2.36"), ("2.42", None))


def _available(version: APIVersion, low: str, high: str | None) -> bool:
    return version >= low and (high is None or version <= high)


def _unexpected(field: str) -> errors.BadRequestError:
    return errors.BadRequestError(f"Additional properties are not allowed ('{field}' was unexpected)")


def _check_fields(model: BaseModel, version: APIVersion) -> None:
    for name in model.model_fields_set:
        info = type(model).model_fields[name]
        key = info.alias or name
        gate = FIELD_VERSIONS.get(key)
        if gate is not None and not _available(version, *gate):
            raise _unexpected(key)


def _check_hostname(hostname: str, version: APIVersion) -> None:
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


def parse_create(body: Any, version: APIVersion) -> ServerCreateRequest:
    """Validate a create body for ``version`` (400 with Nova's wording otherwise)."""
    request = parse_body(ServerCreateRequest, body)
    server = request.server
    _check_fields(server, version)
    networks = server.networks
    if version >= "2.37":
        if networks is None:
            raise errors.BadRequestError("'networks' is a required property")
    elif isinstance(networks, str):
        raise errors.BadRequestError(
            f"Invalid input for field/attribute networks. Value: {networks}. "
            f"'{networks}' is not of type 'array'"
        )
    if isinstance(networks, list):
        for entry in networks:
            if entry.tag is not None and not any(
                _available(version, low, high) for low, high in _NETWORK_TAG_VERSIONS
            ):
                raise _unexpected("tag")
    if server.hostname is not None:
        _check_hostname(server.hostname, version)
    return request


def parse_update(body: Any, version: APIVersion) -> ServerUpdate:
    update = parse_body(ServerUpdateRequest, body).server
    _check_fields(update, version)
    if update.hostname is not None:
        _check_hostname(update.hostname, version)
    return update
