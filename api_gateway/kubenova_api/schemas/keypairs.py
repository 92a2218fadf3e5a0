"""Keypair create bodies: 2.1 (name, public_key), 2.2 (+type), 2.10 (+user_id), 2.92 (key required)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.validation import StrictBody

NAME_PATTERN = r"^[a-zA-Z0-9 _-]+$"
NAME_PATTERN_V292 = r"^[a-zA-Z0-9 _.@-]+$"


class _NotBlank(StrictBody):
    @field_validator("name", check_fields=False)
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Keypair name must be string and between 1 and 255 characters long")
        return value


class KeypairCreate(_NotBlank):
    name: str = Field(min_length=1, max_length=255, pattern=NAME_PATTERN)
    public_key: str | None = None


class KeypairCreateV22(KeypairCreate):
    type: Literal["ssh", "x509"] = "ssh"


class KeypairCreateV210(KeypairCreateV22):
    user_id: str | None = None


class KeypairCreateV292(KeypairCreateV210):
    name: str = Field(min_length=1, max_length=255, pattern=NAME_PATTERN_V292)
    public_key: str  # required from 2.92: no server-side generation


class CreateRequest(StrictBody):
    keypair: KeypairCreate


class CreateRequestV22(StrictBody):
    keypair: KeypairCreateV22


class CreateRequestV210(StrictBody):
    keypair: KeypairCreateV210


class CreateRequestV292(StrictBody):
    keypair: KeypairCreateV292


def create_model(
    version: APIVersion,
) -> type[CreateRequest] | type[CreateRequestV22] | type[CreateRequestV210] | type[CreateRequestV292]:
    if version >= "2.92":
        return CreateRequestV292
    if version >= "2.10":
        return CreateRequestV210
    if version >= "2.2":
        return CreateRequestV22
    return CreateRequest
