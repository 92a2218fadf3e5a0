"""``changePassword``'s body (Nova's ``schemas/admin_password.py``): ``adminPass``, a string
(``parameter_types.admin_password``), required; nothing else."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from kubenova_api.schemas.parameter_types import string
from kubenova_api.schemas.validation import StrictBody, parse_body


class ChangePassword(StrictBody):
    admin_pass: Annotated[str, BeforeValidator(string)] = Field(alias="adminPass")


class ChangePasswordRequest(StrictBody):
    action: ChangePassword = Field(alias="changePassword")


def parse_change_password(body: Any) -> str:
    """The new password."""
    return parse_body(ChangePasswordRequest, body).action.admin_pass
