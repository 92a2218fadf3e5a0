"""What a kubectl user sees of the generated CRDs on a real API server, through the project's kubectl:
Established CRDs, ``kubectl explain`` documentation, ``kubectl get`` columns, short names, category.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from kubenova.crdgen import object_schema
from kubenova.resources import ALL, CustomResource, Flavor, Server
from kubenova.resources.flavor import FlavorSpec
from kubenova.resources.server import ServerSpec
from tests.crds.objects import Objects, kubenova_objects
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.usefixtures("crds_installed")]

MODELS = pytest.mark.parametrize("model", ALL, ids=lambda m: m.crd.kind)
FIELD_LINE = re.compile(r"^  (?P<name>\S+)\t<(?P<type>[^>]+)>")


@pytest.fixture
def objects(cluster: Cluster) -> Iterator[Objects]:
    with kubenova_objects(cluster) as objects:
        yield objects


@pytest.fixture
def flavor(objects: Objects, crds_installed: list[str]) -> Iterator[str]:
    """A cluster-scoped Flavor with a unique name, removed afterwards."""
    name = f"t-{secrets.token_hex(4)}"
    objects.create(Flavor.body(name, FlavorSpec(id=name, vcpus=1, ram=64)))
    yield name
    objects.delete(Flavor, name)


def explain_fields(text: str) -> dict[str, str]:
    """Field name -> description (whitespace-normalised) from ``kubectl explain`` output."""
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_fields = False
    for line in text.splitlines():
        if line.startswith("FIELDS:"):
            in_fields = True
            continue
        if not in_fields:
            continue
        match = FIELD_LINE.match(line)
        if match:
            current = fields.setdefault(match["name"], [])
        elif current is not None and line.startswith("    "):
            current.append(line.strip())
    return {name: " ".join(" ".join(words).split()) for name, words in fields.items()}


def table(text: str) -> list[dict[str, str]]:
    """Rows of ``kubectl get`` output keyed by column header (cells are whitespace-free here)."""
    lines = text.strip().splitlines()
    # Headers may hold one space ("DISPLAY NAME"); columns are separated by at least two.
    columns = list(re.finditer(r"\S+(?: \S+)*", lines[0]))
    header = [column.group() for column in columns]
    starts = [column.start() for column in columns]
    rows = []
    for line in lines[1:]:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], len(line) + 1], strict=True)]
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def test_every_crd_is_established_with_its_names(cluster: Cluster, crds_installed: list[str]) -> None:
    assert sorted(crds_installed) == sorted(model.crd.crd_name for model in ALL)
    api_client = cluster.api_client()
    try:
        extensions = client.ApiextensionsV1Api(api_client)
        for model in ALL:
            crd = extensions.read_custom_resource_definition(model.crd.crd_name)
            conditions = {c.type: c.status for c in (crd.status.conditions or [])} if crd.status else {}
            assert conditions.get("Established") == "True", (model.crd.kind, conditions)
            assert conditions.get("NamesAccepted") == "True", (model.crd.kind, conditions)
            assert conditions.get("NonStructuralSchema") is None, (model.crd.kind, conditions)
            accepted = crd.status.accepted_names if crd.status else None
            assert accepted is not None
            assert accepted.short_names == list(model.crd.short_names)
            assert accepted.categories == ["kubenova"]
    finally:
        api_client.close()  # type: ignore[no-untyped-call]


@MODELS
@pytest.mark.parametrize("part", ["spec", "status"])
def test_kubectl_explain_documents_every_field(
    cluster: Cluster, crds_installed: list[str], model: type[CustomResource], part: str
) -> None:
    schema: dict[str, Any] = object_schema(model)["properties"][part]

    def explained() -> str:
        # The apiserver publishes a new CRD's OpenAPI a moment after it is Established.
        done = cluster.run_kubectl("explain", f"{model.crd.singular}.{part}", check=False)
        # A part without fields (a Flavor's status) has no FIELDS section to wait for.
        listed = "FIELDS:" in done.stdout or not schema.get("properties")
        return done.stdout if done.returncode == 0 and listed else ""

    text = wait_for(explained, timeout=60, interval=1, message=f"kubectl explain {model.crd.singular}.{part}")
    assert " ".join(schema["description"].split()) in " ".join(text.split())
    fields = explain_fields(text)
    properties = schema.get("properties", {})
    expected = {name: " ".join(sub["description"].split()) for name, sub in properties.items()}
    assert fields == expected


@pytest.mark.usefixtures("operator_stopped")
def test_kubectl_get_servers_shows_nova_columns(cluster: Cluster, objects: Objects, namespace: str) -> None:
    created = objects.create(Server.body("web-1", ServerSpec(flavor="m1.tiny", image="cirros"), namespace))
    status = {
        "status": "ACTIVE",
        "vmState": "active",
        "taskState": "powering-off",
        "powerState": "Running",
        "host": "sim-node-0",
        "networks": "private=10.0.0.5",
    }
    objects.replace_status(created | {"status": status})
    done = cluster.run_kubectl("get", "servers", "-n", namespace)
    header = done.stdout.splitlines()[0].split()
    assert header == ["NAME", "STATUS", "TASK", "POWER", "FLAVOR", "IMAGE", "HOST", "NETWORKS", "AGE"]
    [row] = table(done.stdout)
    assert row | {"AGE": ""} == {
        "NAME": "web-1",
        "STATUS": "ACTIVE",
        "TASK": "powering-off",
        "POWER": "Running",
        "FLAVOR": "m1.tiny",
        "IMAGE": "cirros",
        "HOST": "sim-node-0",
        "NETWORKS": "private=10.0.0.5",
        "AGE": "",
    }
    wide = cluster.run_kubectl("get", "servers", "-n", namespace, "-o", "wide").stdout.splitlines()[0]
    assert "DISPLAY NAME" in wide
    assert "ZONE" in wide


def test_short_names_resolve(cluster: Cluster, objects: Objects, namespace: str, flavor: str) -> None:
    objects.create(Server.body("web-1", ServerSpec(flavor=flavor, image="cirros"), namespace))
    assert cluster.run_kubectl("get", "srv", "-n", namespace, "-o", "name").stdout.split() == [
        "server.compute.kubenova.io/web-1"
    ]
    assert (
        f"flavor.compute.kubenova.io/{flavor}"
        in cluster.run_kubectl("get", "flv", "-o", "name").stdout.split()
    )
    for short in ("img", "kp", "agg"):
        assert cluster.run_kubectl("get", short, "-o", "name").returncode == 0


def test_kubenova_category_lists_every_kind(
    cluster: Cluster, objects: Objects, namespace: str, flavor: str
) -> None:
    objects.create(Server.body("web-1", ServerSpec(flavor=flavor, image="cirros"), namespace))
    names = cluster.run_kubectl("get", "kubenova", "-n", namespace, "-o", "name").stdout.split()
    assert "server.compute.kubenova.io/web-1" in names
    assert f"flavor.compute.kubenova.io/{flavor}" in names


def test_kubectl_prints_a_readable_refusal(
    cluster: Cluster, crds_installed: list[str], namespace: str
) -> None:
    manifest = (
        "apiVersion: compute.kubenova.io/v1alpha1\nkind: Server\nmetadata:\n  name: bad\n"
        "spec:\n  flavor: m1.tiny\n  image: cirros\n  powerState: Hibernating\n  tags: [web/frontend]\n"
    )
    done = cluster.run_kubectl("create", "-n", namespace, "-f", "-", stdin=manifest, check=False)
    assert done.returncode != 0
    assert 'The Server "bad" is invalid' in done.stderr
    assert (
        'spec.powerState: Unsupported value: "Hibernating": supported values: "Running", "Stopped"'
        in done.stderr
    )
