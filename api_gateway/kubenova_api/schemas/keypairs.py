"""Keypair create bodies: 2.1 (name, public_key), 2.2 (+type), 2.10 (+user_id), 2.92 (key required)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

from kubenova_api.microversions import APIVersion
from kubenova_api.schemas.parameter_types import SchemaError, name, string
from kubenova_api.schemas.validation import StrictBody

# parameter_types.keypair_name_special_chars(_v292): Nova's name format, then this pattern.
NAME_PATTERN = re.compile(r"^[_\- a-zA-Z0-9]+$")
NAME_PATTERN_V292 = re.compile(r"^[_\-\@\. a-zA-Z0-9]+$")


def _keypair_name(pattern: re.Pattern[str]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        checked = name(value)
        if not pattern.match(checked):
            raise SchemaError(f"{checked!r} does not match {pattern.pattern!r}")
        return checked

    return check


KeypairName = Annotated[str, BeforeValidator(_keypair_name(NAME_PATTERN))]
KeypairNameV292 = Annotated[str, BeforeValidator(_keypair_name(NAME_PATTERN_V292))]


OptionalString = Annotated[str | None, BeforeValidator(string)]


class KeypairCreate(StrictBody):
    name: KeypairName
    public_key: OptionalString = None


class KeypairCreateV22(KeypairCreate):
    type: Literal["ssh", "x509"] = "ssh"


class KeypairCreateV210(KeypairCreateV22):
    user_id: OptionalString = None


class KeypairCreateV292(KeypairCreateV210):
    name: KeypairNameV292
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
