"""Pydantic JSON Schema -> structural schema, on small models built for each rule."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from kubenova.crdgen import UnsupportedSchemaError, structural
from kubenova.resources.base import pattern_message


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    return structural(model.model_json_schema(by_alias=True))


class Colour(StrEnum):
    """A colour."""

    RED = "red"
    BLUE = "blue"


class Inner(BaseModel):
    """The inner model's own description."""

    size: int = Field(ge=0, description="How big.")


class Outer(BaseModel):
    inner: Inner = Field(description="Described at the field.")
    maybe_inner: Inner | None = Field(default=None, description="Optional inner.")
    undescribed_inner: Inner
    colour: Colour | None = Field(default=None, description="A colour or nothing.")
    version: Literal[4, 6] = Field(description="IP version.")
    ratio: float = Field(default=1.0, gt=0, le=10, description="A ratio.")
    labels: dict[str, str] = Field(default_factory=dict, description="A map.")
    nested: dict[str, list[Inner]] = Field(default_factory=dict, description="Map of lists of models.")
    tags: set[str] = Field(default_factory=set, description="Unique tags.")
    fixed: Literal["only"] = Field(default="only", description="A constant.")
    rules: list[str] = Field(
        default_factory=list,
        description="With CEL.",
        json_schema_extra={"x-kubernetes-validations": [{"rule": "size(self) < 3", "message": "too many"}]},
    )


def walk(node: Any) -> list[dict[str, Any]]:
    """Every schema dict in the tree."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(walk(value))
    return found


def test_refs_and_defs_are_inlined() -> None:
    schema = schema_of(Outer)
    assert "$defs" not in schema
    assert all("$ref" not in node for node in walk(schema))
    assert schema["properties"]["inner"]["properties"]["size"] == {
        "type": "integer",
        "minimum": 0,
        "description": "How big.",
    }


def test_titles_are_dropped() -> None:
    assert all("title" not in node for node in walk(schema_of(Outer)))


def test_a_fields_description_wins_over_its_models_docstring() -> None:
    props = schema_of(Outer)["properties"]
    assert props["inner"]["description"] == "Described at the field."
    assert props["undescribed_inner"]["description"] == "The inner model's own description."


def test_optional_becomes_nullable_type_without_anyof_or_null_default() -> None:
    maybe = schema_of(Outer)["properties"]["maybe_inner"]
    assert maybe["type"] == "object"
    assert maybe["nullable"] is True
    assert "anyOf" not in maybe
    assert "default" not in maybe


def test_optional_enums_are_not_nullable_so_null_is_pruned_instead_of_rejected() -> None:
    colour = schema_of(Outer)["properties"]["colour"]
    assert colour == {"type": "string", "enum": ["red", "blue"], "description": "A colour or nothing."}


def test_int_enums_keep_integer_type() -> None:
    assert schema_of(Outer)["properties"]["version"] == {
        "type": "integer",
        "enum": [4, 6],
        "description": "IP version.",
    }


def test_exclusive_bounds_use_openapi_3_0_booleans() -> None:
    ratio = schema_of(Outer)["properties"]["ratio"]
    assert ratio["minimum"] == 0
    assert ratio["exclusiveMinimum"] is True
    assert ratio["maximum"] == 10
    assert "exclusiveMaximum" not in ratio
    assert ratio["default"] == 1.0


def test_maps_keep_typed_additional_properties() -> None:
    props = schema_of(Outer)["properties"]
    assert props["labels"]["additionalProperties"] == {"type": "string"}
    nested = props["nested"]["additionalProperties"]
    assert nested["type"] == "array"
    assert nested["items"]["properties"]["size"]["type"] == "integer"


def test_sets_become_set_typed_lists_not_unique_items() -> None:
    tags = schema_of(Outer)["properties"]["tags"]
    assert tags["x-kubernetes-list-type"] == "set"
    assert "uniqueItems" not in tags


def test_const_becomes_a_single_value_enum() -> None:
    assert schema_of(Outer)["properties"]["fixed"]["enum"] == ["only"]


def test_cel_rules_pass_through() -> None:
    rules = schema_of(Outer)["properties"]["rules"]["x-kubernetes-validations"]
    assert rules == [{"rule": "size(self) < 3", "message": "too many"}]


def test_multiline_docstrings_become_one_paragraph() -> None:
    class Documented(BaseModel):
        """First line.

        Second   paragraph.
        """

        x: int = Field(description="X.")

    assert schema_of(Documented)["description"] == "First line. Second paragraph."


def test_required_is_kept() -> None:
    assert set(schema_of(Outer)["required"]) == {"inner", "undescribed_inner", "version"}


def test_unions_of_two_real_types_are_refused() -> None:
    class Union(BaseModel):
        value: int | str

    with pytest.raises(UnsupportedSchemaError, match=r"\.value: union"):
        schema_of(Union)


def test_untyped_values_preserve_unknown_fields() -> None:
    class Loose(BaseModel):
        extra: dict[str, Any] = Field(default_factory=dict, description="Anything.")

    extra = schema_of(Loose)["properties"]["extra"]
    assert extra["x-kubernetes-preserve-unknown-fields"] is True
    assert "additionalProperties" not in extra


def test_unknown_keywords_are_refused_rather_than_passed_to_the_api_server() -> None:
    with pytest.raises(UnsupportedSchemaError, match="propertyNames"):
        structural({"type": "object", "propertyNames": {"maxLength": 3}})


def test_a_pattern_with_a_message_becomes_a_cel_rule_with_that_message() -> None:
    class Named(BaseModel):
        name: str | None = Field(
            default=None,
            max_length=10,
            pattern=r"^[a-z\-]+$",
            description="A name.",
            json_schema_extra=pattern_message("names are lowercase letters and '-'"),
        )

    name = schema_of(Named)["properties"]["name"]
    assert "pattern" not in name
    assert "x-kubenova-pattern-message" not in name
    assert name["x-kubernetes-validations"] == [
        {"rule": r"self.matches(r'^[a-z\-]+$')", "message": "names are lowercase letters and '-'"}
    ]
    assert name["maxLength"] == 10
    assert name["nullable"] is True


def test_a_pattern_message_without_a_pattern_is_refused() -> None:
    with pytest.raises(UnsupportedSchemaError, match="without a pattern"):
        structural({"type": "string", "x-kubenova-pattern-message": "oops"})


def test_items_from_json_schema_extra_replace_the_generated_ones() -> None:
    class Listed(BaseModel):
        names: list[str] = Field(
            default_factory=list,
            description="Names.",
            json_schema_extra={"items": {"type": "string", "maxLength": 8, "title": "Name"}},
        )

    assert schema_of(Listed)["properties"]["names"]["items"] == {"type": "string", "maxLength": 8}


class _Empty(BaseModel):
    """Nothing to observe."""


def test_a_model_without_fields_has_no_empty_properties_map() -> None:
    # The API server drops an empty map from a stored CRD, so emitting one makes every later
    # server-side apply of the same file differ from the stored object (a field-manager conflict).
    assert schema_of(_Empty) == {"type": "object", "description": "Nothing to observe."}
