"""One CustomResourceDefinition object (as a plain dict) for one kubenova model class.

Names, scope and printer columns come from the model's ``crd: CrdInfo``; the schemas of ``spec`` and
``status`` from the model's own pydantic JSON schema (by alias, i.e. camelCase), made structural by
:mod:`kubenova.crdgen.schema`.
"""

from __future__ import annotations

from typing import Any

from kubenova.crdgen.schema import JsonSchema, structural
from kubenova.resources.base import GROUP, VERSION, CustomResource, PrinterColumn

_API_VERSION_DOC = (
    "APIVersion defines the versioned schema of this representation of an object: "
    f"{GROUP}/{VERSION} for kubenova objects."
)
_KIND_DOC = "Kind is the REST resource this object represents, in CamelCase (e.g. Server)."


def crd_for(model: type[CustomResource]) -> dict[str, Any]:
    """The CRD manifest declaring ``model``'s kind in group ``compute.kubenova.io``."""
    info = model.crd
    names: dict[str, Any] = {
        "kind": info.kind,
        "listKind": f"{info.kind}List",
        "plural": info.plural,
        "singular": info.singular,
    }
    if info.short_names:
        names["shortNames"] = list(info.short_names)
    if info.categories:
        names["categories"] = list(info.categories)
    version: dict[str, Any] = {
        "name": VERSION,
        "served": True,
        "storage": True,
        "schema": {"openAPIV3Schema": object_schema(model)},
        "subresources": {"status": {}},
    }
    if info.printer_columns:
        version["additionalPrinterColumns"] = [_printer_column(c) for c in info.printer_columns]
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": info.crd_name},
        "spec": {"group": GROUP, "names": names, "scope": info.scope, "versions": [version]},
    }


def object_schema(model: type[CustomResource]) -> JsonSchema:
    """The ``openAPIV3Schema`` of a whole object: apiVersion, kind, metadata, spec and status."""
    full = model.model_json_schema(by_alias=True, mode="validation")
    defs = full.get("$defs", {})
    properties: JsonSchema = {
        "apiVersion": {"type": "string", "description": _API_VERSION_DOC},
        "kind": {"type": "string", "description": _KIND_DOC},
        # The API server owns metadata's schema and forbids anything here but the type (and
        # name/generateName constraints), so kubectl explain shows the standard ObjectMeta docs.
        "metadata": {"type": "object"},
    }
    required: list[str] = []
    for part in ("spec", "status"):
        properties[part] = structural(full["properties"][part], defs, path=part)
        if part in full.get("required", []):
            required.append(part)
    schema: JsonSchema = {
        "type": "object",
        "description": model.crd.description or _docstring(model),
        "properties": properties,
    }
    if required:
        schema["required"] = required
    return schema


def _printer_column(column: PrinterColumn) -> dict[str, Any]:
    out: dict[str, Any] = {"name": column.name, "jsonPath": column.json_path, "type": column.type}
    if column.description:
        out["description"] = column.description
    if column.priority:
        out["priority"] = column.priority
    return out


def _docstring(model: type[CustomResource]) -> str:
    """The class docstring as one paragraph (kubectl explain re-wraps it anyway)."""
    return " ".join((model.__doc__ or "").split())
