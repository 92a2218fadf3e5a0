"""``POST /servers/{id}/action`` bodies: the action is the body's single key; its value is the
action's arguments (``null`` for the bodyless ones, as clients send ``{"os-stop": null}``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from kubenova_api import errors
from kubenova_api.schemas.validation import StrictBody, parse_body


def action_of(body: Any) -> tuple[str, Any]:
    """(action name, its arguments); Nova's 400s for a body that names no single action."""
    if not isinstance(body, dict) or not body:
        raise errors.BadRequestError("Malformed request body")
    if len(body) > 1:
        raise errors.BadRequestError("Malformed request body: too many body keys")
    ((name, args),) = body.items()
    return str(name), args


class Reboot(StrictBody):
    type: Literal["SOFT", "HARD"]

    @field_validator("type", mode="before")
    @classmethod
    def _case(cls, value: Any) -> Any:
        # Nova's enum lists SOFT/Soft/soft and HARD/Hard/hard.
        if isinstance(value, str) and value in ("SOFT", "Soft", "soft", "HARD", "Hard", "hard"):
            return value.upper()
        return value


class RebootRequest(StrictBody):
    reboot: Reboot


class Lock(StrictBody):
    locked_reason: str | None = Field(default=None, min_length=1, max_length=255)


class LockRequest(StrictBody):
    """``{"lock": null}`` or, from 2.73, ``{"lock": {"locked_reason": "..."}}``."""

    lock: Lock | None


def parse_reboot(body: Any) -> Reboot:
    return parse_body(RebootRequest, body).reboot


def parse_lock(body: Any) -> str | None:
    """The lock reason (2.73 schema; before 2.73 Nova does not look at the body at all)."""
    lock = parse_body(LockRequest, body).lock
    return lock.locked_reason if lock is not None else None


class ResetState(StrictBody):
    state: Literal["active", "error"]


class ResetStateRequest(StrictBody):
    """Nova's ``reset_server_state`` schema: ``{"os-resetState": {"state": "active"|"error"}}``."""

    os_reset_state: ResetState = Field(alias="os-resetState")


def parse_reset_state(body: Any) -> str:
    return parse_body(ResetStateRequest, body).os_reset_state.state
