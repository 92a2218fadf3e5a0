"""Nova's shared parameter types (``nova/api/validation/parameter_types.py``) as pydantic types.

Each keeps Nova's JSON-schema semantics, and its refusals carry the jsonschema wording Nova's
400s show (``'maybe' is not one of [True, 'True', ...]``, ``1.5 is not of type 'integer',
'string'``): ``schemas.validation.describe_error`` puts them after Nova's
``Invalid input for field/attribute <field>. Value: <value>.`` prefix.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Annotated, Any

from pydantic import BeforeValidator

# parameter_types.boolean: JSON booleans and exactly these strings (case as listed).
BOOLEAN_TRUE = ("True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes")
BOOLEAN_FALSE = ("False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no")
BOOLEAN_ENUM: list[bool | str] = [True, *BOOLEAN_TRUE, False, *BOOLEAN_FALSE]

MAX_INT = 0x7FFFFFFF  # nova/db/constants.py MAX_INT
SQL_SP_FLOAT_MAX = 3.40282e38
_DIGITS = re.compile(r"^[0-9]*$")
_DIGITS_NONEMPTY = re.compile(r"^[0-9]+$")
_FQDN = re.compile(r"^[a-zA-Z0-9-._]*$")


class SchemaError(ValueError):
    """A refusal worded as jsonschema words it (shown after Nova's field prefix)."""


class WholeMessageError(SchemaError):
    """A refusal Nova shows alone, without the field prefix (its ``InvalidName`` formats)."""


def _type_error(value: Any, *types: str) -> SchemaError:
    names = ", ".join(repr(t) for t in types)
    return SchemaError(f"{value!r} is not of type {names}")


def to_boolean(value: Any) -> bool:
    """``parameter_types.boolean``: the value as a bool, or Nova's refusal."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise _type_error(value, "boolean", "string")
    if value in BOOLEAN_TRUE:
        return True
    if value in BOOLEAN_FALSE:
        return False
    raise SchemaError(f"{value!r} is not one of {BOOLEAN_ENUM!r}")


def _integer(value: Any, *, pattern: re.Pattern[str], minimum: int, maximum: int | None) -> int:
    """``{'type': ['integer', 'string'], 'pattern': ..., 'minimum': ..., 'maximum': ...}``;
    Nova's validator compares string numbers with the bounds too."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _type_error(value, "integer", "string")
    if isinstance(value, str):
        if value == "":
            raise SchemaError("'' should be non-empty")
        if not pattern.match(value):
            raise SchemaError(f"{value!r} does not match {pattern.pattern!r}")
        number = int(value)
    else:
        number = value
    if number < minimum:
        raise SchemaError(f"{value!r} is less than the minimum of {minimum}")
    if maximum is not None and number > maximum:
        raise SchemaError(f"{value!r} is greater than the maximum of {maximum}")
    return number


def positive_integer(value: Any) -> int:
    """``parameter_types.positive_integer`` (no upper bound)."""
    return _integer(value, pattern=_DIGITS, minimum=1, maximum=None)


def non_negative_integer(value: Any) -> int:
    """``parameter_types.non_negative_integer`` (no upper bound)."""
    return _integer(value, pattern=_DIGITS, minimum=0, maximum=None)


def flavor_param_positive(value: Any) -> int:
    """``parameter_types.flavor_param_positive`` (= ``volume_size``): 1 … MAX_INT."""
    return _integer(value, pattern=_DIGITS_NONEMPTY, minimum=1, maximum=MAX_INT)


def flavor_param_non_negative(value: Any) -> int:
    """``parameter_types.flavor_param_non_negative``: 0 … MAX_INT."""
    return _integer(value, pattern=_DIGITS_NONEMPTY, minimum=0, maximum=MAX_INT)


_NAME_REASON = "printable characters. Can not start or end with whitespace."
_AZ_NAME_REASON = "printable characters except :.Can not start or end with whitespace."
_NAME_SPACES_REASON = "printable characters with at least one non space character"


def _printable(char: str) -> bool:
    # Nova's regex ranges cover code points below U+FFFF only.
    category = unicodedata.category(char)
    return (
        ord(char) < 0xFFFF
        and not category.startswith("C")
        and (not category.startswith("Z") or category == "Zs")
    )


def _solid(char: str) -> bool:
    return _printable(char) and unicodedata.category(char) != "Zs"


def _string(value: Any, *, min_length: int, max_length: int) -> str:
    if not isinstance(value, str):
        raise _type_error(value, "string")
    if len(value) < min_length:
        raise SchemaError(f"{value!r} should be non-empty" if min_length == 1 else f"{value!r} is too short")
    if len(value) > max_length:
        raise SchemaError(f"{value!r} is too long")
    return value


def _invalid_name(reason: str) -> WholeMessageError:
    return WholeMessageError(f"An invalid 'name' value was provided. The name must be: {reason}")


def _name_format(value: Any, *, exclude: str, reason: str) -> str:
    if not isinstance(value, str):
        raise _type_error(value, "string")
    if value and (
        not all(_printable(c) and c not in exclude for c in value)
        or not _solid(value[0])
        or not _solid(value[-1])
    ):
        raise _invalid_name(reason)
    return _string(value, min_length=1, max_length=255)


def name(value: Any) -> str:
    """``parameter_types.name``: printable, no leading or trailing whitespace, 1-255."""
    return _name_format(value, exclude="", reason=_NAME_REASON)


def az_name(value: Any) -> str:
    """``parameter_types.az_name``: as ``name``, without ':'."""
    return _name_format(value, exclude=":", reason=_AZ_NAME_REASON)


def name_with_leading_trailing_spaces(value: Any) -> str:
    """The v2.0-compatible name: printable with at least one non-space character."""
    if not isinstance(value, str):
        raise _type_error(value, "string")
    if value and (not all(_printable(c) for c in value) or not any(_solid(c) for c in value)):
        raise _invalid_name(_NAME_SPACES_REASON)
    return _string(value, min_length=1, max_length=255)


def description(value: Any, *, max_length: int = 255) -> str | None:
    """``parameter_types.description``: null or printable text up to ``max_length``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _type_error(value, "string", "null")
    if not all(_printable(c) for c in value):
        raise SchemaError(f"{value!r} does not match '^[<printable characters>]*$'")
    return _string(value, min_length=0, max_length=max_length)


Name = Annotated[str, BeforeValidator(name)]
AzName = Annotated[str, BeforeValidator(az_name)]
Boolean = Annotated[bool, BeforeValidator(to_boolean)]
PositiveInteger = Annotated[int, BeforeValidator(positive_integer)]
NonNegativeInteger = Annotated[int, BeforeValidator(non_negative_integer)]
FlavorPositive = Annotated[int, BeforeValidator(flavor_param_positive)]
FlavorNonNegative = Annotated[int, BeforeValidator(flavor_param_non_negative)]


def string(value: Any) -> str:
    """``{'type': 'string'}``: a JSON null is refused like any other non-string."""
    if not isinstance(value, str):
        raise _type_error(value, "string")
    return value


def is_uuid_like(value: str) -> bool:
    """oslo's ``uuidutils.is_uuid_like`` (Nova's ``uuid`` format): dashes, braces, ``urn:uuid:``
    and case are tolerated."""
    try:
        parsed = uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    plain = value.lower().replace("urn:", "").replace("uuid:", "").strip("{}").replace("-", "")
    return parsed.hex == plain


def uuid_string(value: Any) -> str:
    """``{'type': 'string', 'format': 'uuid'}``."""
    checked = string(value)
    if not is_uuid_like(checked):
        raise SchemaError(f"{checked!r} is not a 'uuid'")
    return checked


def image_id_or_empty_string(value: Any) -> str:
    """``parameter_types.image_id_or_empty_string``: a UUID, or '' (boot from volume)."""
    if isinstance(value, str) and (value == "" or is_uuid_like(value)):
        return value
    raise SchemaError(f"{value!r} is not valid under any of the given schemas")


def fqdn(value: Any) -> str:
    """``parameter_types.fqdn``: letters, digits and ``-._``, 1-255."""
    checked = string(value)
    if not _FQDN.match(checked):
        raise SchemaError(f"{checked!r} does not match {_FQDN.pattern!r}")
    return _string(checked, min_length=1, max_length=255)


String = Annotated[str, BeforeValidator(string)]
UuidString = Annotated[str, BeforeValidator(uuid_string)]
Fqdn = Annotated[str, BeforeValidator(fqdn)]


_TAG = re.compile(r"^[^,/]*$")
MAX_TAG_LENGTH = 60


def tag(value: Any) -> str:
    """``parameter_types.tag``: no ',' or '/', 1-60 characters."""
    checked = string(value)
    if not _TAG.match(checked):
        raise SchemaError(f"{checked!r} does not match {_TAG.pattern!r}")
    return _string(checked, min_length=1, max_length=MAX_TAG_LENGTH)
