"""Server metadata bodies: ``{"metadata": {k: v}}`` (collection) and ``{"meta": {k: v}}`` (one item)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import field_validator

from kubenova_api import errors
from kubenova_api.schemas.validation import StrictBody, parse_body

METADATA_KEY = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")


def check_metadata(metadata: Any) -> dict[str, str]:
    """Nova's server metadata schema: keys of letters, digits, space and -_:., string values ≤ 255."""
    if not isinstance(metadata, dict):
        raise ValueError(f"{metadata!r} is not of type 'object'")
    for key, value in metadata.items():
        if not METADATA_KEY.match(key):
            raise ValueError(f"Additional properties are not allowed ('{key}' was unexpected)")
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not of type 'string'")
        if len(value) > 255:
            raise ValueError(f"'{value}' is too long")
    return metadata


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
        return check_metadata(value)


def parse_metadata(body: Any) -> dict[str, str]:
    return parse_body(MetadataRequest, body).metadata


def parse_meta(body: Any, key: str) -> str:
    """The value for ``key``: the body must hold exactly that one item (Nova's 400s otherwise)."""
    meta = parse_body(MetaRequest, body).meta
    if key not in meta:
        raise errors.BadRequestError("Request body and URI mismatch")
    if len(meta) > 1:
        raise errors.BadRequestError("Request body contains too many items")
    return meta[key]
