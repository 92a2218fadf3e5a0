"""VMs, VMIs and DataVolumes are indexed as compact JSON and parsed when read: handlers get the
same models as from a parsed index, the freshest copy still wins, and no index keeps
``metadata.managedFields``. Servers are indexed parsed, their models sharing their field-name sets."""

from __future__ import annotations

import asyncio
from typing import Any

import kopf

from kubenova import k8s
from kubenova.handlers import cluster_view, indexes, packed, view_keys
from kubenova.handlers.cluster_view import ClusterView
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.view_keys import ServerRef
from kubenova.kubevirt import cdi_models
from kubenova.kubevirt.client import parse_vm, parse_vmi
from kubenova.resources import fields_sets
from kubenova.resources.server import Server
from kubenova.settings import Settings
from tests.unit.operator import factories as f

REF = ServerRef("demo", "web-1")
MANAGED = [{"manager": "virt-controller", "operation": "Update", "fieldsV1": {"f:status": {}}}]


def _meta(version: int, **more: Any) -> dict[str, Any]:
    labels = {"compute.kubenova.io/server": "web-1"}
    meta = {
        "name": "web-1",
        "namespace": "demo",
        "uid": "vm-uid",
        "resourceVersion": str(version),
        "labels": labels,
    }
    return meta | more


def vm(version: int, status: str = "Running") -> dict[str, Any]:
    spec = {"runStrategy": "Always", "template": {"spec": {"domain": {"devices": {}}}}}
    meta = _meta(version, managedFields=MANAGED)
    return {
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachine",
        "metadata": meta,
        "spec": spec,
        "status": {"printableStatus": status, "ready": True},
    }


def indexed(function: Any, body: dict[str, Any]) -> dict[Any, Any]:
    result: dict[Any, Any] = asyncio.run(function(body=kopf.Body(body), memo=kopf.Memo()))
    return result


def view_of(index: str, values: dict[ServerRef, list[Any]]) -> ClusterView:
    view = ClusterView()
    view.bind({index: values})
    return view


def test_a_packed_vm_reads_as_the_parsed_one_without_managed_fields() -> None:
    body = vm(5)
    (value,) = indexed(indexes.vm_index, body).values()
    assert isinstance(value, packed.Packed)
    assert body["metadata"]["managedFields"] == MANAGED  # kopf's body is left as it was
    found = view_of(cluster_view.VMS, {REF: [value]}).vm(REF)
    assert found is not None
    expected = parse_vm({**body, "metadata": _meta(5)})
    assert found == expected
    assert "managedFields" not in (found.vm.metadata.model_extra or {})
    packed._recent.clear()  # parsed again from its JSON: the same model
    assert view_of(cluster_view.VMS, {REF: [value]}).vm(REF) == expected


def test_the_freshest_copy_wins_between_a_packed_index_value_and_our_write() -> None:
    (value,) = indexed(indexes.vm_index, vm(5, "Starting")).values()
    view = view_of(cluster_view.VMS, {REF: [value]})
    view.remember(cluster_view.VMS, REF, parse_vm(vm(6, "Stopping")))
    found = view.vm(REF)
    assert found is not None
    assert found.printable_status == "Stopping"
    (newer,) = indexed(indexes.vm_index, vm(7, "Stopped")).values()
    view.bind({cluster_view.VMS: {REF: [newer]}})
    found = view.vm(REF)
    assert found is not None
    assert found.printable_status == "Stopped"
    assert (cluster_view.VMS, REF) not in view._written
    view.forget(cluster_view.VMS, REF, "vm-uid")


def test_vmis_and_data_volumes_are_packed_and_read_parsed() -> None:
    vmi = {
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachineInstance",
        "metadata": _meta(3, managedFields=MANAGED),
        "spec": {"domain": {"devices": {}}},
        "status": {"phase": "Running", "nodeName": "n1"},
    }
    dv = {
        "apiVersion": "cdi.kubevirt.io/v1beta1",
        "kind": "DataVolume",
        "metadata": _meta(4, name="web-1-root", managedFields=MANAGED),
        "status": {"phase": "Succeeded"},
    }
    (vmi_value,) = indexed(indexes.vmi_index, vmi).values()
    (dv_value,) = indexed(indexes.dv_index, dv).values()
    view = ClusterView()
    view.bind({cluster_view.VMIS: {REF: [vmi_value]}, cluster_view.DVS: {REF: [dv_value]}})
    assert view.vmi(REF) == parse_vmi({**vmi, "metadata": _meta(3)})
    (volume,) = view.data_volumes(REF)
    assert volume == cdi_models.DataVolume.model_validate({**dv, "metadata": _meta(4, name="web-1-root")})
    assert view_keys.resource_version(dv_value) == 4
    assert view_keys.uid_of(dv_value) == "vm-uid"


def test_a_data_volume_that_does_not_parse_is_not_indexed() -> None:
    assert (
        indexed(indexes.dv_index, {"metadata": _meta(1), "status": {"conditions": [{"type": "Ready"}]}}) == {}
    )


def test_parsed_indexes_drop_managed_fields_too() -> None:
    body = f.server().to_api()
    body["metadata"]["managedFields"] = MANAGED
    server = indexes._parsed(Server, kopf.Body(body))
    assert server is not None
    assert "managedFields" not in (server.metadata.model_extra or {})
    assert body["metadata"]["managedFields"] == MANAGED


def test_an_indexed_server_shares_its_field_name_sets_and_feeds_the_view() -> None:
    memo = kopf.Memo()
    memo["runtime"] = rt = Runtime.create(Settings(), k8s.Client(k8s.Transport(k8s.ApiClient())))
    bodies = [
        f.server(name=f"web-{i}", uid=f"uid-{i}").model_dump(by_alias=True, mode="json") for i in (1, 2)
    ]
    for body in bodies:
        body["metadata"]["managedFields"] = MANAGED
    found = [asyncio.run(indexes.server_index(body=kopf.Body(b), memo=memo)) for b in bodies]
    one, two = (result[ServerRef("demo", f"web-{i}")] for i, result in zip((1, 2), found, strict=True))
    assert one == Server.model_validate(packed.without_managed_fields(bodies[0]))
    for model in (one, one.metadata, one.spec, one.status):
        assert type(model.model_fields_set) is fields_sets.SharedFieldNames
    assert one.spec.model_fields_set is two.spec.model_fields_set
    assert sorted(rt.view.feed.refs_in("demo")) == [ServerRef("demo", "web-1"), ServerRef("demo", "web-2")]
