"""``POST /servers/{id}/action`` bodies: the action is the body's single key; its value is the
action's arguments (``null`` for the bodyless ones, as clients send ``{"os-stop": null}``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator

from kubenova_api import errors
from kubenova_api.schemas.parameter_types import SchemaError, string
from kubenova_api.schemas.validation import StrictBody, parse_body


def _reason(value: Any) -> str:
    """``locked_reason``: a string of 1-255 (a null is refused)."""
    checked = string(value)
    if not checked:
        raise SchemaError("'' should be non-empty")
    if len(checked) > 255:
        raise SchemaError(f"{checked!r} is too long")
    return checked


def action_of(body: Any) -> tuple[str, Any]:
    """(action name, its arguments); Nova's 400s for a body that names no single action."""
    if not isinstance(body, dict) or not body:
        raise errors.BadRequestError("Malformed request body")
    if len(body) > 1:
        raise errors.BadRequestError("Malformed request body: too many body keys")
    ((name, args),) = body.items()
    return str(name), args


REBOOT_TYPES = ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]


class Reboot(StrictBody):
    type: Literal["SOFT", "HARD"]

    @field_validator("type", mode="before")
    @classmethod
    def _case(cls, value: Any) -> Any:
        # Nova's enum lists HARD/Hard/hard and SOFT/Soft/soft.
        if not isinstance(value, str):
            raise SchemaError(f"{value!r} is not of type 'string'")
        if value not in REBOOT_TYPES:
            raise SchemaError(f"{value!r} is not one of {REBOOT_TYPES!r}")
        return value.upper()


class RebootRequest(StrictBody):
    reboot: Reboot


class Lock(StrictBody):
    locked_reason: Annotated[str | None, BeforeValidator(_reason)] = None


class LockRequest(StrictBody):
    """``{"lock": null}`` or, from 2.73, ``{"lock": {"locked_reason": "..."}}``."""

    lock: Lock | None


def parse_reboot(body: Any) -> Reboot:
    return parse_body(RebootRequest, body).reboot


def parse_lock(body: Any) -> str | None:
    """The lock reason (2.73 schema; before 2.73 Nova does not look at the body at all)."""
    lock = parse_body(LockRequest, body).lock
    return lock.locked_reason if lock is not None else None


class Resize(StrictBody):
    """Nova's resize body: ``flavorRef`` (an id, or a flavor URL); ``OS-DCF:diskConfig`` is
    accepted and has no effect (KubeVirt grows the volume, the guest its partition)."""

    flavor_ref: str | int = Field(alias="flavorRef")
    disk_config: Literal["AUTO", "MANUAL"] | None = Field(default=None, alias="OS-DCF:diskConfig")

    @field_validator("flavor_ref")
    @classmethod
    def _not_empty(cls, value: str | int) -> str | int:
        if isinstance(value, str) and not value.strip():
            raise ValueError("flavorRef must not be empty")
        return value


class ResizeRequest(StrictBody):
    resize: Resize


def parse_resize(body: Any) -> Resize:
    return parse_body(ResizeRequest, body).resize


class ResetState(StrictBody):
    state: Literal["active", "error"]


class ResetStateRequest(StrictBody):
    """Nova's ``reset_server_state`` schema: ``{"os-resetState": {"state": "active"|"error"}}``."""

    os_reset_state: ResetState = Field(alias="os-resetState")


def parse_reset_state(body: Any) -> str:
    return parse_body(ResetStateRequest, body).os_reset_state.state


class CreateImage(StrictBody):
    """Nova's ``createImage`` body: a name and optional image metadata."""

    name: str = Field(min_length=1, max_length=255)
    metadata: dict[str, str] = Field(default_factory=dict)


class CreateImageRequest(StrictBody):
    create_image: CreateImage = Field(alias="createImage")


class CreateBackup(CreateImage):
    """Nova's ``createBackup`` body: also the backup type and how many backups to keep."""

    backup_type: str = Field(min_length=1, max_length=255)
    rotation: int = Field(ge=0)

    @field_validator("rotation", mode="before")
    @classmethod
    def _integer(cls, value: Any) -> Any:
        # Nova's parameter_types.non_negative_integer: an integer, or a string of digits.
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{value!r} is not of type 'integer', 'string'")
        return value


class CreateBackupRequest(StrictBody):
    create_backup: CreateBackup = Field(alias="createBackup")


def parse_create_image(body: Any) -> CreateImage:
    return parse_body(CreateImageRequest, body).create_image


def parse_create_backup(body: Any) -> CreateBackup:
    return parse_body(CreateBackupRequest, body).create_backup
