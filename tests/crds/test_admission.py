"""The generated CRDs in a real API server: invalid objects are refused with a clear message,
valid ones are defaulted exactly as the models default them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from kubernetes.client.exceptions import ApiException

from kubenova.resources import Flavor, Server
from kubenova.resources.flavor import FlavorSpec
from kubenova.resources.server import ServerSpec
from tests.crds.admission_cases import CASES, Invalid, invalid_body
from tests.crds.objects import MODELS, Objects, kubenova_objects, refusal
from tests.support.cluster import Cluster

pytestmark = [pytest.mark.cluster, pytest.mark.usefixtures("crds_installed")]


@pytest.fixture
def objects(cluster: Cluster) -> Iterator[Objects]:
    with kubenova_objects(cluster) as objects:
        yield objects


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_invalid_objects_are_refused_with_a_readable_message(
    objects: Objects, namespace: str, case: Invalid
) -> None:
    model = MODELS[case.kind]
    name = f"t-{secrets.token_hex(4)}"
    body = invalid_body(case, name, namespace if model.crd.scope == "Namespaced" else None)
    try:
        with pytest.raises(ApiException) as refused:
            objects.create(body)
    finally:
        objects.delete(model, name, namespace)
    status, message = refusal(refused.value)
    assert status == 422
    assert f'{case.kind}.compute.kubenova.io "{name}" is invalid' in message
    for fragment in case.expect:
        assert fragment in message


def test_the_valid_base_of_every_case_is_accepted(objects: Objects, namespace: str) -> None:
    """Guards the cases above: each refusal is due to its one mistake, not to a broken base object."""
    for kind in sorted({case.kind for case in CASES}):
        model = MODELS[kind]
        name = f"t-{secrets.token_hex(4)}"
        case = Invalid("base", kind, {}, ())
        try:
            objects.create(invalid_body(case, name, namespace if model.crd.scope == "Namespaced" else None))
        finally:
            objects.delete(model, name, namespace)


def test_api_server_defaults_equal_the_model_defaults(objects: Objects, namespace: str) -> None:
    spec = ServerSpec(flavor="m1.tiny", image="cirros")
    created = objects.create(Server.body("defaults", spec, namespace=namespace))
    stored = Server.model_validate(created)
    assert created["spec"]["powerState"] == "Running"
    assert created["spec"]["networks"] == "auto"
    assert stored.spec == spec


def test_cluster_scoped_defaults_equal_the_model_defaults(objects: Objects) -> None:
    name = f"t-{secrets.token_hex(4)}"
    try:
        created = objects.create(Flavor.body(name, FlavorSpec(vcpus=1, ram=64)))
    finally:
        objects.delete(Flavor, name)
    assert created["spec"]["isPublic"] is True
    assert created["spec"]["rxtxFactor"] == 1.0
    assert Flavor.model_validate(created).spec.disk == 0


@pytest.mark.usefixtures("operator_stopped")
def test_status_round_trips_and_null_enums_are_dropped_not_refused(objects: Objects, namespace: str) -> None:
    created = objects.create(Server.body("status", ServerSpec(flavor="m1.tiny", image="cirros"), namespace))
    status = {
        "status": "ACTIVE",
        "vmState": "active",
        "taskState": None,
        "powerState": None,
        "host": "sim-node-0",
        "addresses": {"private": [{"version": 4, "addr": "10.0.0.5", "type": "fixed"}]},
        "networks": "private=10.0.0.5",
        "actions": [
            {"action": "create", "requestId": "req-1", "startTime": "2026-01-01T00:00:00Z", "result": None}
        ],
    }
    # A full PUT of the status, as a writer that serialises None fields would send it.
    body = created | {"status": status}
    updated = objects.replace_status(body)
    assert "powerState" not in updated["status"]
    assert "result" not in updated["status"]["actions"][0]
    assert "taskState" not in updated["status"]  # an enum since vm/task states are typed
    server = Server.model_validate(updated)
    assert server.status.status == "ACTIVE"
    assert server.status.addresses["private"][0].addr == "10.0.0.5"
    assert server.status.power_state is None


def test_unknown_fields_are_pruned(objects: Objects, namespace: str) -> None:
    body = Server.body("pruned", ServerSpec(flavor="m1.tiny", image="cirros"), namespace)
    body["spec"]["flavour"] = "typo"
    created = objects.create(body)
    assert "flavour" not in created["spec"]
