"""The generated CRDs: names, presentation and a schema the API server accepts and kubectl documents."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from kubenova.crdgen import crd_for, render_all
from kubenova.resources import ALL, CustomResource, Server

MODELS = pytest.mark.parametrize("model", ALL, ids=lambda m: m.crd.kind)


def schema(model: type[CustomResource]) -> dict[str, Any]:
    version = crd_for(model)["spec"]["versions"][0]
    result: dict[str, Any] = version["schema"]["openAPIV3Schema"]
    return result


def properties(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, schema) of every named property, through objects, list items and map values."""
    for name, sub in node.get("properties", {}).items():
        yield f"{path}.{name}", sub
        yield from properties(sub, f"{path}.{name}")
    if "items" in node:
        yield from properties(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from properties(node["additionalProperties"], f"{path}.*")


def nodes(node: Any) -> Iterator[Any]:
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        yield from nodes(child)


@MODELS
def test_names_scope_and_category_come_from_crd_info(model: type[CustomResource]) -> None:
    crd = crd_for(model)
    info = model.crd
    assert crd["apiVersion"] == "apiextensions.k8s.io/v1"
    assert crd["metadata"]["name"] == f"{info.plural}.compute.kubenova.io"
    assert crd["spec"]["group"] == "compute.kubenova.io"
    assert crd["spec"]["scope"] == info.scope
    names = crd["spec"]["names"]
    assert names["kind"] == info.kind
    assert names["plural"] == info.plural
    assert names["singular"] == info.kind.lower()
    assert names["shortNames"] == list(info.short_names)
    assert names["categories"] == ["kubenova"]


@MODELS
def test_one_served_storage_version_with_status_subresource(model: type[CustomResource]) -> None:
    [version] = crd_for(model)["spec"]["versions"]
    assert version["name"] == "v1alpha1"
    assert version["served"] is True
    assert version["storage"] is True
    assert version["subresources"] == {"status": {}}


@MODELS
def test_schema_is_structural(model: type[CustomResource]) -> None:
    root = schema(model)
    assert root["properties"]["metadata"] == {"type": "object"}
    for node in nodes(root):
        if not isinstance(node, dict):
            continue
        assert "$ref" not in node
        assert "$defs" not in node
        assert "title" not in node
        assert "anyOf" not in node
        assert "allOf" not in node
    for path, prop in properties(root):
        assert "type" in prop, path


@MODELS
def test_every_property_has_a_description(model: type[CustomResource]) -> None:
    root = schema(model)
    assert root["description"]
    missing = [path for path, prop in properties(root) if path != ".metadata" and not prop.get("description")]
    assert missing == []


def test_server_spec_constraints_reach_the_crd() -> None:
    spec = schema(Server)["properties"]["spec"]
    props = spec["properties"]
    assert spec["required"] == ["flavor", "image"]
    assert props["powerState"]["enum"] == ["Running", "Stopped", "Paused"]
    assert props["resetState"]["properties"]["state"]["enum"] == ["active", "error"]
    assert props["powerState"]["default"] == "Running"
    assert props["networks"]["enum"] == ["auto", "none"]
    assert props["userData"]["maxLength"] == 65535
    assert props["userData"]["nullable"] is True
    # Patterns with a human message become CEL rules (the API server would quote the bare regex).
    assert "pattern" not in props["userData"]
    [base64_rule] = props["userData"]["x-kubernetes-validations"]
    assert base64_rule["rule"] == "self.matches(r'^[A-Za-z0-9+/=\\r\\n]*$')"
    assert "base64" in base64_rule["message"]
    assert props["tags"]["maxItems"] == 50
    assert props["tags"]["items"]["maxLength"] == 60
    assert props["tags"]["items"]["x-kubernetes-validations"][0]["rule"] == "self.matches(r'^[^,/]{1,60}$')"
    assert props["metadata"]["additionalProperties"] == {"type": "string", "maxLength": 255}
    assert props["metadata"]["maxProperties"] == 128
    assert props["metadata"]["x-kubernetes-validations"][0]["rule"].startswith("self.all(k, k.matches(")
    address = schema(Server)["properties"]["status"]["properties"]["addresses"]["additionalProperties"]
    assert address["items"]["properties"]["version"] == {
        "type": "integer",
        "enum": [4, 6],
        "description": "IP version.",
    }


def test_server_printer_columns_match_openstack_server_list() -> None:
    columns = crd_for(Server)["spec"]["versions"][0]["additionalPrinterColumns"]
    default_view = [c["name"] for c in columns if not c.get("priority")]
    assert default_view == ["STATUS", "TASK", "POWER", "FLAVOR", "IMAGE", "HOST", "NETWORKS", "AGE"]
    assert columns[-1] == {"name": "AGE", "jsonPath": ".metadata.creationTimestamp", "type": "date"}


@MODELS
def test_printer_columns_point_at_fields_that_exist(model: type[CustomResource]) -> None:
    root = schema(model)
    for column in crd_for(model)["spec"]["versions"][0].get("additionalPrinterColumns", []):
        if column["jsonPath"].startswith(".metadata."):
            continue
        node = root
        for part in column["jsonPath"].lstrip(".").split("."):
            assert part in node["properties"], column
            node = node["properties"][part]


def test_rendering_is_deterministic_and_marked_generated() -> None:
    first, second = render_all(), render_all()
    assert first == second
    for name, text in first.items():
        assert name.startswith("compute.kubenova.io_")
        assert text.startswith("# GENERATED by python -m kubenova.crdgen; do not edit.\n")
        [document] = list(yaml.safe_load_all(text))
        assert document["kind"] == "CustomResourceDefinition"
        assert "&id" not in text
        assert "*id" not in text


def test_file_names_use_the_plural() -> None:
    assert sorted(render_all()) == sorted(f"compute.kubenova.io_{m.crd.plural}.yaml" for m in ALL)
