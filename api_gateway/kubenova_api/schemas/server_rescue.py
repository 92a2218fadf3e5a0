"""The ``rescue`` action body (Nova's ``schemas/rescue.py``): ``{"rescue": null}`` or
``{"rescue": {"adminPass": <string>, "rescue_image_ref": <uuid>}}``, both properties optional and
no others. ``unrescue`` has no schema: Nova never looks at its value."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from kubenova_api.schemas.parameter_types import SchemaError, string, uuid_string
from kubenova_api.schemas.validation import StrictBody, parse_body


class Rescue(StrictBody):
    admin_pass: Annotated[str | None, BeforeValidator(string)] = Field(default=None, alias="adminPass")
    rescue_image_ref: Annotated[str | None, BeforeValidator(uuid_string)] = None


def _object_or_null(value: Any) -> Any:
    """``{'type': ['object', 'null']}``."""
    if value is not None and not isinstance(value, dict):
        raise SchemaError(f"{value!r} is not of type 'object', 'null'")
    return value


class RescueRequest(StrictBody):
    rescue: Annotated[Rescue | None, BeforeValidator(_object_or_null)]


def parse_rescue(body: Any) -> Rescue:
    """The rescue arguments (an empty set for ``{"rescue": null}``); 400 with Nova's wording."""
    return parse_body(RescueRequest, body).rescue or Rescue()
