"""Pydantic JSON Schema (draft 2020-12) -> Kubernetes *structural* OpenAPI v3 schema.

The API server only accepts structural schemas in a CRD: a ``type`` on every node, no ``$ref``, no
``anyOf: [X, {type: null}]`` for optional fields, OpenAPI 3.0's boolean ``exclusiveMinimum``. Pydantic
emits the draft 2020-12 forms, so this module rewrites them (and drops ``title``, which would only
repeat the field name in ``kubectl explain``). Anything it does not know how to translate raises
:class:`UnsupportedSchemaError` instead of producing a CRD the API server would reject (or, worse,
one that silently prunes data).
"""

from __future__ import annotations

from typing import Any

from kubenova.resources.base import PATTERN_MESSAGE

JsonSchema = dict[str, Any]

# Keys that survive unchanged (after recursion where they hold schemas). Everything else is either
# translated below or rejected: an unknown keyword is a model feature crdgen has not been taught.
_PASSTHROUGH = frozenset(
    {
        "type",
        "format",
        "default",
        "enum",
        "pattern",
        "minimum",
        "maximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
        "required",
        "nullable",
        "example",
    }
)
# Pydantic bookkeeping that has no meaning in a CRD.
_DROPPED = frozenset({"title", "examples", "deprecated", "readOnly", "writeOnly", "$schema", "discriminator"})
_NULL = {"type": "null"}


class UnsupportedSchemaError(ValueError):
    """The model uses a construct that has no structural-schema equivalent."""


def structural(schema: JsonSchema, defs: dict[str, JsonSchema] | None = None, path: str = "") -> JsonSchema:
    """The structural equivalent of ``schema``; ``defs`` resolves ``#/$defs/<name>`` references.

    ``path`` only makes error messages point at the offending field.
    """
    if defs is None:
        defs = schema.get("$defs", {})
    node = _flatten(schema, defs, path)
    out: JsonSchema = {}
    for key, value in node.items():
        _translate(out, key, value, node=node, defs=defs, path=path)
    if PATTERN_MESSAGE in node:
        _pattern_as_cel(out, node[PATTERN_MESSAGE], path)
    if out.get("default", 0) is None:
        # ``default: null`` only restates "optional"; the API server would store an explicit null.
        del out["default"]
    if out.get("nullable") and "enum" in out:
        # The API server checks enum membership before nullability and rejects null even when it is
        # listed. Without ``nullable`` a null is pruned instead, which for pydantic means the same
        # thing as ``None``: the field is unset.
        del out["nullable"]
    if "type" not in out and not out.get("x-kubernetes-preserve-unknown-fields"):
        raise UnsupportedSchemaError(f"{path or '<root>'}: no type (structural schemas need one everywhere)")
    return out


def _translate(
    out: JsonSchema, key: str, value: Any, *, node: JsonSchema, defs: dict[str, JsonSchema], path: str
) -> None:
    """Copy one keyword of a flattened node into ``out``, translated to OpenAPI v3 as the API server wants."""
    if key in _DROPPED or key in ("$defs", PATTERN_MESSAGE):
        return
    if key == "properties":
        if value:  # the API server drops an empty map, so a re-apply would differ (SSA conflicts)
            out[key] = {name: structural(sub, defs, f"{path}.{name}") for name, sub in value.items()}
    elif key == "items":
        out[key] = structural(value, defs, f"{path}[]")
    elif key == "additionalProperties":
        _additional_properties(out, value, defs, path)
    elif key == "description":
        # Docstrings arrive with their line breaks; one paragraph reads better in YAML and
        # kubectl explain re-wraps it for the terminal anyway.
        out[key] = " ".join(str(value).split())
    elif key == "const":
        out["enum"] = [value]
    elif key in ("exclusiveMinimum", "exclusiveMaximum"):
        _exclusive_bound(out, key, value, node, path)
    elif key == "uniqueItems":
        if value:
            # The API server refuses uniqueItems (quadratic); a set-typed list says the same thing.
            out["x-kubernetes-list-type"] = "set"
    elif key in _PASSTHROUGH or key.startswith("x-kubernetes-"):
        out[key] = value
    else:
        raise UnsupportedSchemaError(f"{path or '<root>'}: JSON Schema keyword {key!r} is not supported")


def _flatten(schema: JsonSchema, defs: dict[str, JsonSchema], path: str) -> JsonSchema:
    """Resolve ``$ref``, single-element ``allOf`` and ``anyOf [X, null]`` into one plain node.

    Keys written next to a reference (a field's description or default) win over the referenced
    model's own, as in JSON Schema 2020-12.
    """
    node = dict(schema)
    if "$ref" in node:
        target = _lookup(node.pop("$ref"), defs, path)
        node = {**_flatten(target, defs, path), **node}
    if "allOf" in node:
        parts = node.pop("allOf")
        if len(parts) != 1:
            raise UnsupportedSchemaError(f"{path}: allOf with {len(parts)} members")
        node = {**_flatten(parts[0], defs, path), **node}
    if "anyOf" in node or "oneOf" in node:
        options = node.pop("anyOf", None) or node.pop("oneOf")
        others = [option for option in options if option != _NULL]
        if len(others) != 1:
            raise UnsupportedSchemaError(
                f"{path}: union of {len(others)} non-null types; structural schemas need one type per field"
            )
        node = {**_flatten(others[0], defs, path), **node}
        if len(others) < len(options):
            node["nullable"] = True
    return node


def _lookup(ref: str, defs: dict[str, JsonSchema], path: str) -> JsonSchema:
    prefix = "#/$defs/"
    if not ref.startswith(prefix) or ref[len(prefix) :] not in defs:
        raise UnsupportedSchemaError(f"{path}: unresolvable $ref {ref!r}")
    return defs[ref[len(prefix) :]]


def _additional_properties(out: JsonSchema, value: Any, defs: dict[str, JsonSchema], path: str) -> None:
    if isinstance(value, dict):
        if value:
            out["additionalProperties"] = structural(value, defs, f"{path}.*")
        else:
            # dict[str, Any]: the values have no schema, so tell the API server to keep them.
            out["x-kubernetes-preserve-unknown-fields"] = True
    elif value is True:
        out["x-kubernetes-preserve-unknown-fields"] = True
    # ``False`` (extra="forbid") is the structural default already: unknown fields are pruned.


def _exclusive_bound(out: JsonSchema, key: str, value: Any, node: JsonSchema, path: str) -> None:
    """Draft 2020-12 ``exclusiveMinimum: 0`` -> OpenAPI 3.0 ``minimum: 0, exclusiveMinimum: true``."""
    if isinstance(value, bool):
        out[key] = value
        return
    inclusive = "minimum" if key == "exclusiveMinimum" else "maximum"
    if inclusive in node:
        raise UnsupportedSchemaError(f"{path}: both {inclusive} and {key}")
    out[inclusive] = value
    out[key] = True


def _pattern_as_cel(out: JsonSchema, message: str, path: str) -> None:
    """Replace ``pattern`` by an equivalent CEL ``matches`` rule that fails with ``message``.

    The OpenAPI ``pattern`` check would run first and answer with the bare regex, so it has to go.
    A CEL raw string keeps the regex's backslashes as they are (both sides speak RE2 syntax).
    """
    pattern = out.pop("pattern", None)
    if pattern is None:
        raise UnsupportedSchemaError(f"{path}: {PATTERN_MESSAGE} without a pattern")
    if "'" in pattern:
        raise UnsupportedSchemaError(f"{path}: pattern contains a single quote, which CEL would need escaped")
    rule = {"rule": f"self.matches(r'{pattern}')", "message": message}
    out["x-kubernetes-validations"] = [*out.get("x-kubernetes-validations", []), rule]
