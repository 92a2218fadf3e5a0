"""Server metadata bodies: ``{"metadata": {k: v}}`` (collection) and ``{"meta": {k: v}}`` (one item)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import field_validator

from kubenova_api import errors
from kubenova_api.schemas.parameter_types import SchemaError, WholeMessageError
from kubenova_api.schemas.validation import StrictBody, parse_body

METADATA_KEY = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")


def check_metadata(metadata: Any, *, nullable: bool = False) -> dict[str, Any]:
    """``parameter_types.metadata`` (``metadata_with_null`` when ``nullable``): keys of letters,
    digits, space and ``-_:.`` (1-255), string values of at most 255 (or null). A value's
    refusal names its key, as Nova's does; keys are checked after the values."""
    if not isinstance(metadata, dict):
        raise SchemaError(f"{metadata!r} is not of type 'object'")
    allowed = "'string', 'null'" if nullable else "'string'"
    for key, value in metadata.items():
        if not METADATA_KEY.match(key):
            continue
        reason = None
        if value is None and nullable:
            continue
        if not isinstance(value, str):
            reason = f"{value!r} is not of type {allowed}"
        elif len(value) > 255:
            reason = f"{value!r} is too long"
        if reason is not None:
            raise WholeMessageError(f"Invalid input for field/attribute {key}. Value: {value}. {reason}")
    extras = sorted(key for key in metadata if not METADATA_KEY.match(key))
    if extras:
        verb = "does" if len(extras) == 1 else "do"
        joined = ", ".join(repr(key) for key in extras)
        raise SchemaError(f"{joined} {verb} not match any of the regexes: {METADATA_KEY.pattern!r}")
    return metadata


def _one_item(meta: dict[str, Any]) -> dict[str, Any]:
    """The ``meta`` of an item update: ``minProperties``/``maxProperties`` 1."""
    if not meta:
        raise SchemaError("{} should be non-empty")
    if len(meta) > 1:
        raise SchemaError(f"{meta!r} has too many properties")
    return meta


class MetadataRequest(StrictBody):
    metadata: dict[str, str]

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata(cls, value: Any) -> dict[str, str]:
        return check_metadata(value)


class MetaRequest(StrictBody):
    meta: dict[str, str]

    @field_validator("meta", mode="before")
    @classmethod
    def _meta(cls, value: Any) -> dict[str, str]:
        return _one_item(check_metadata(value))


def parse_metadata(body: Any) -> dict[str, str]:
    return parse_body(MetadataRequest, body).metadata


def parse_meta(body: Any, key: str) -> str:
    """The value for ``key``: the body must hold exactly that one item (Nova's 400s otherwise)."""
    meta = parse_body(MetaRequest, body).meta
    if key not in meta:
        raise errors.BadRequestError("Request body and URI mismatch")
    return meta[key]
