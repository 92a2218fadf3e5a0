"""The resource models parse API bodies, serialise back in camelCase and enforce Nova's limits."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from kubenova.resources import (
    ALL,
    Aggregate,
    Flavor,
    Image,
    Keypair,
    Migration,
    Server,
    ServerGroup,
    ServerRecord,
)
from kubenova.resources.base import API_VERSION, CATEGORY
from kubenova.resources.server import ServerSpec


def server_body(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "Server",
        "metadata": {"name": "web-1", "namespace": "project-a", "uid": "3f1c-uid"},
        "spec": {"flavor": "m1.tiny", "image": "cirros", **spec},
    }


def test_server_parses_camel_case_and_applies_nova_defaults() -> None:
    server = Server.model_validate(server_body(keyName="demo", userData="aGk="))
    assert server.spec.key_name == "demo"
    assert server.spec.user_data == "aGk="
    assert server.spec.power_state == "Running"
    assert server.spec.networks == "auto"
    assert server.spec.config_drive is False
    assert server.status.status is None


def test_server_identity_follows_the_architecture() -> None:
    server = Server.model_validate(server_body())
    assert server.server_id == "3f1c-uid"
    assert server.display_name == "web-1"
    named = Server.model_validate(server_body(name="Web server #1"))
    assert named.display_name == "Web server #1"


def test_to_api_is_camel_case_and_leaves_unset_fields_out() -> None:
    spec = ServerSpec(flavor="m1.tiny", image="cirros", key_name="demo", scheduler_hints=None)
    body = spec.to_api()
    assert body["keyName"] == "demo"
    assert "schedulerHints" not in body
    assert "key_name" not in body


def test_body_builds_a_creatable_object() -> None:
    body = Server.body("web-1", ServerSpec(flavor="m1.tiny", image="cirros"), namespace="p")
    assert body["apiVersion"] == "compute.kubenova.io/v1alpha1"
    assert body["kind"] == "Server"
    assert body["metadata"] == {"name": "web-1", "namespace": "p"}
    assert body["spec"]["flavor"] == "m1.tiny"


def test_unknown_fields_from_a_newer_operator_are_ignored() -> None:
    server = Server.model_validate(server_body(futureField=1) | {"status": {"futureStatus": "x"}})
    assert server.spec.flavor == "m1.tiny"


def test_status_round_trips_through_its_api_form() -> None:
    body = server_body() | {
        "status": {
            "status": "ACTIVE",
            "vmState": "active",
            "powerState": "Running",
            "addresses": {"private": [{"version": 4, "addr": "10.0.0.5", "macAddr": "fa:16:3e:00:00:01"}]},
            "fault": None,
            "actions": [{"action": "create", "requestId": "req-1", "startTime": "2026-01-01T00:00:00Z"}],
        }
    }
    server = Server.model_validate(body)
    assert server.status.addresses["private"][0].type == "fixed"
    again = Server.model_validate(server.to_api())
    assert again.status == server.status


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"powerState": "Suspended"}, "powerState"),
        ({"resetState": {"state": "building", "requestId": "req-1"}}, "resetState"),
        ({"networks": "private"}, "networks"),
        ({"userData": "not base64!"}, "userData"),
        ({"userData": "A" * 65536}, "userData"),
        ({"tags": ["a/b"]}, "tags"),
        ({"tags": [f"t{i}" for i in range(51)]}, "tags"),
        ({"metadata": {"k": "v" * 256}}, "metadata"),
        ({"keyName": "bad/name"}, "keyName"),
        ({"flavor": ""}, "flavor"),
    ],
)
def test_server_spec_rejects_what_nova_rejects(spec: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        Server.model_validate(server_body(**spec))
    assert field in str(error.value)


@pytest.mark.parametrize(("spec", "field"), [({"ram": -1}, "ram"), ({"vcpus": 0}, "vcpus")])
def test_flavor_rejects_impossible_sizes(spec: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        Flavor.model_validate({"metadata": {"name": "f"}, "spec": {"vcpus": 1, "ram": 512} | spec})
    assert field in str(error.value)


def test_flavor_and_keypair_ids_default_to_metadata_name() -> None:
    flavor = Flavor.model_validate({"metadata": {"name": "m1.tiny"}, "spec": {"vcpus": 1, "ram": 512}})
    assert flavor.flavor_id == "m1.tiny"
    assert flavor.display_name == "m1.tiny"
    with_id = Flavor.model_validate(
        {"metadata": {"name": "m1.tiny"}, "spec": {"id": "1", "vcpus": 1, "ram": 512}}
    )
    assert with_id.flavor_id == "1"
    keypair = Keypair.model_validate({"metadata": {"name": "k"}, "spec": {"publicKey": "ssh-ed25519 AAAA"}})
    assert keypair.key_name == "k"
    assert keypair.spec.type == "ssh"


def test_keypair_name_pattern_matches_novas() -> None:
    ok = {"metadata": {"name": "k"}, "spec": {"publicKey": "x", "name": "my key_1.@-"}}
    assert Keypair.model_validate(ok).key_name == "my key_1.@-"
    with pytest.raises(ValidationError):
        Keypair.model_validate({"metadata": {"name": "k"}, "spec": {"publicKey": "x", "name": "bad/name"}})


def test_aggregate_spec_is_optional_and_zone_may_not_contain_a_colon() -> None:
    aggregate = Aggregate.model_validate({"metadata": {"name": "agg"}})
    assert aggregate.spec.hosts == []
    assert aggregate.display_name == "agg"
    with pytest.raises(ValidationError):
        Aggregate.model_validate({"metadata": {"name": "agg"}, "spec": {"availabilityZone": "az:1"}})


def test_image_id_is_the_uid() -> None:
    image = Image.model_validate(
        {"metadata": {"name": "cirros", "uid": "u-1"}, "spec": {"containerDisk": {"image": "quay.io/x:1"}}}
    )
    assert image.image_id == "u-1"
    assert image.spec.visibility == "public"


def test_every_kind_declares_distinct_names_in_the_kubenova_category() -> None:
    kinds = {model.crd.kind for model in ALL}
    plurals = {model.crd.plural for model in ALL}
    short_names = [name for model in ALL for name in model.crd.short_names]
    assert len(kinds) == len(plurals) == len(ALL)
    assert len(short_names) == len(set(short_names))
    assert all(CATEGORY in model.crd.categories for model in ALL)


def test_server_short_names_leave_vm_and_vms_to_kubevirt() -> None:
    assert Server.crd.short_names == ("srv",)
    assert Server.crd.scope == "Namespaced"
    assert ServerRecord.crd.scope == "Namespaced"  # a deleted server stays in its project
    assert ServerGroup.crd.scope == "Namespaced"  # a server group belongs to a project
    assert Migration.crd.scope == "Namespaced"  # a migration record stays in the server's project
    namespaced = (Server, ServerRecord, ServerGroup, Migration)
    assert {m.crd.scope for m in ALL if m not in namespaced} == {"Cluster"}
