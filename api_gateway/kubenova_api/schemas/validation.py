"""Pydantic validation → Nova-style 400 messages, and the one entry point that validates bodies."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from kubenova_api import errors
from kubenova_api.schemas.parameter_types import SchemaError, WholeMessageError
from kubenova_api.schemas.queries import unexpected

ModelT = TypeVar("ModelT", bound=BaseModel)


class StrictBody(BaseModel):
    """Base of request bodies: unknown properties are refused, as Nova's schemas refuse them."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _is_tag(part: str) -> bool:
    # pydantic's names for union members and validators inside a location.
    return part in _TAGS or "[" in part or part.startswith("function-")


_TAGS = frozenset({"str", "int", "float", "bool", "none", "list", "dict", "literal"})


def _field(loc: Sequence[Any]) -> str:
    # Nova names the last path element (``ex.path.pop()``, a list index included): drop
    # FastAPI's location prefix ("body", "query", ...) and pydantic's union/validator tags.
    parts = [
        str(p)
        for p in loc
        if isinstance(p, int) or (p not in ("body", "query", "path", "header") and not _is_tag(str(p)))
    ]
    return parts[-1] if parts else "body"


def _one_of(expected: str) -> str:
    # pydantic words a Literal's choices "'A', 'B' or 'C'"; jsonschema lists them.
    return "[" + expected.replace(" or ", ", ") + "]"


# pydantic error type → jsonschema's wording of the same refusal (``v`` is repr(value)).
_TYPE_NAMES = {
    "string_type": "'string'",
    "int_type": "'integer'",
    "int_parsing": "'integer'",
    "int_from_float": "'integer'",
    "bool_type": "'boolean'",
    "bool_parsing": "'boolean'",
    "float_type": "'number'",
    "float_parsing": "'number'",
    "dict_type": "'object'",
    "list_type": "'array'",
    "model_type": "'object'",
    "model_attributes_type": "'object'",
}


def _jsonschema_message(kind: str, value: Any, ctx: Mapping[str, Any]) -> str | None:
    v = repr(value)
    if kind in _TYPE_NAMES:
        return f"{v} is not of type {_TYPE_NAMES[kind]}"
    if kind in ("string_too_short", "too_short"):
        return f"{v} should be non-empty" if ctx.get("min_length") == 1 else f"{v} is too short"
    if kind in ("string_too_long", "too_long"):
        return f"{v} is too long"
    if kind == "string_pattern_mismatch":
        return f"{v} does not match {ctx.get('pattern')!r}"
    if kind == "greater_than_equal":
        return f"{v} is less than the minimum of {ctx.get('ge')!r}"
    if kind == "less_than_equal":
        return f"{v} is greater than the maximum of {ctx.get('le')!r}"
    if kind == "greater_than":
        return f"{v} is less than or equal to the minimum of {ctx.get('gt')!r}"
    if kind == "less_than":
        return f"{v} is greater than or equal to the maximum of {ctx.get('lt')!r}"
    if kind == "literal_error":
        return f"{v} is not one of {_one_of(str(ctx.get('expected', '')))}"
    return None


def _path(loc: Sequence[Any]) -> list[Any]:
    """A pydantic location as the body's path: no FastAPI prefix, no union/validator tags."""
    return [
        p
        for p in loc
        if isinstance(p, int) or (p not in ("body", "query", "path", "header") and not _is_tag(str(p)))
    ]


def _at(body: Any, path: Sequence[Any]) -> Any:
    target = body
    for part in path:
        target = _child(target, part)
    return target


def _prefixed(parent: Sequence[Any], body: Any, message: str) -> str:
    """Nova's wording of an object's own refusal (a missing or unexpected property): the
    object's field and value first, unless the object is the body itself."""
    if not parent:
        return message
    return f"Invalid input for field/attribute {parent[-1]}. Value: {_at(body, parent)}. {message}"


def describe_error(error: Mapping[str, Any], body: Any = None) -> str:
    """One validation error as Nova words JSON-schema failures (``body``: the validated body,
    whose objects Nova quotes for a missing or unexpected property)."""
    loc = error.get("loc", ())
    field = _field(loc)
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    path = _path(loc)
    if kind == "extra_forbidden":
        return _prefixed(path[:-1], body, f"Additional properties are not allowed ('{field}' was unexpected)")
    if kind == "missing":
        return _prefixed(path[:-1], body, f"'{field}' is a required property")
    if kind == "json_invalid":
        return "Malformed request body"
    cause = ctx.get("error")
    if isinstance(cause, WholeMessageError):
        return str(cause)
    value = error.get("input")
    if isinstance(cause, SchemaError):
        reason = str(cause)
    else:
        reason = _jsonschema_message(kind, value, ctx) or str(error.get("msg", "is invalid")).removeprefix(
            "Value error, "
        )
    if field == "body":
        return reason
    return f"Invalid input for field/attribute {field}. Value: {value}. {reason}"


def describe_errors(errs: Sequence[Mapping[str, Any]], body: Any = None) -> str:
    """The refusal Nova reports first: a property's own value before a missing property before
    unexpected ones (jsonschema checks ``properties``, then ``required``, then
    ``additionalProperties``); the unexpected properties of one object are named together."""
    if not errs:
        return "Invalid input."
    for error in errs:
        if error.get("type") not in ("missing", "extra_forbidden"):
            return describe_error(error, body)
    for error in errs:
        if error.get("type") == "missing":
            return describe_error(error, body)
    parent = _path(errs[0].get("loc", ()))[:-1]
    extras = sorted(
        str(_path(e.get("loc", ()))[-1])
        for e in errs
        if e.get("type") == "extra_forbidden" and _path(e.get("loc", ()))[:-1] == parent
    )
    return _prefixed(parent, body, unexpected(extras))


# Set per request by the middleware: the request came in on the legacy v2 endpoint.
legacy_v2: ContextVar[bool] = ContextVar("legacy_v2", default=False)
_MAX_STRIPPED = 100


def _child(target: Any, part: Any) -> Any:
    if isinstance(target, dict) and part in target:
        return target[part]
    if isinstance(target, list) and isinstance(part, int) and 0 <= part < len(target):
        return target[part]
    return None


def _drop(body: Any, loc: Sequence[Any]) -> bool:
    """Remove the property at ``loc`` from ``body`` (in place); whether it was there."""
    target = body
    for part in loc[:-1]:
        target = _child(target, part)
    if isinstance(target, dict) and loc and loc[-1] in target:
        del target[loc[-1]]
        return True
    return False


def _relaxed(model: type[ModelT], body: Any) -> ModelT:
    """Nova's v2.0-compatible validation: properties the schema does not know are dropped
    (``_soft_validate_additional_properties``), everything else is checked as usual."""
    body = copy.deepcopy(body)
    for _ in range(_MAX_STRIPPED):
        try:
            return model.model_validate(body)
        except ValidationError as exc:
            extras = [e["loc"] for e in exc.errors() if e.get("type") == "extra_forbidden"]
            if not extras or not all(_drop(body, loc) for loc in extras):
                raise
    return model.model_validate(body)


def parse_body(model: type[ModelT], body: Any) -> ModelT:
    """Validate a decoded JSON body against ``model``; failures raise ``BadRequestError`` (400).
    On the legacy v2 endpoint unknown properties are dropped instead (Nova's relaxed mode)."""
    try:
        return _relaxed(model, body) if legacy_v2.get() else model.model_validate(body)
    except ValidationError as exc:
        raise errors.BadRequestError(describe_errors(exc.errors(), body)) from None
