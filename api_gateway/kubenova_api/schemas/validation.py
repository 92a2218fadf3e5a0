"""Pydantic validation → Nova-style 400 messages, and the one entry point that validates bodies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from kubenova_api import errors

ModelT = TypeVar("ModelT", bound=BaseModel)


class StrictBody(BaseModel):
    """Base of request bodies: unknown properties are refused, as Nova's schemas refuse them."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _field(loc: Sequence[Any]) -> str:
    # Drop FastAPI's location prefix ("body", "query", ...) and list indexes.
    parts = [str(p) for p in loc if not isinstance(p, int) and p not in ("body", "query", "path", "header")]
    return parts[-1] if parts else "body"


def describe_error(error: Mapping[str, Any]) -> str:
    """One validation error as Nova words JSON-schema failures."""
    loc = error.get("loc", ())
    field = _field(loc)
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return f"Additional properties are not allowed ('{field}' was unexpected)"
    if kind == "missing":
        return f"'{field}' is a required property"
    if kind == "json_invalid":
        return "Malformed request body"
    value = error.get("input")
    reason = str(error.get("msg", "is invalid"))
    return f"Invalid input for field/attribute {field}. Value: {value}. {reason}"


def describe_errors(errs: Sequence[Mapping[str, Any]]) -> str:
    return describe_error(errs[0]) if errs else "Invalid input."


def parse_body(model: type[ModelT], body: Any) -> ModelT:
    """Validate a decoded JSON body against ``model``; failures raise ``BadRequestError`` (400)."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise errors.BadRequestError(describe_errors(exc.errors())) from None
