"""Simulated CDI and storage on the real API server: a VM's DataVolume templates become
DataVolumes (owned by the VM), PVCs (owned by the DataVolume) and bound PVs; the VMI waits for them;
imports can fail; claims grow and never shrink; everything goes with the VM."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes.client.exceptions import ApiException

from tests.fixtures.simulator import SimulatorHandle
from tests.simulator.kubevirt import KubeVirt, find_condition, vm_manifest
from tests.support.cluster import Cluster
from tests.support.storage import Storage, controller_uid, phase
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster


@pytest.fixture
def storage(cluster: Cluster, namespace: str) -> Iterator[Storage]:
    with cluster.connected() as api:
        yield Storage(api, namespace)


def with_data_volume(vm: dict[str, Any], source: dict[str, Any], size: str = "1Gi") -> dict[str, Any]:
    name = vm["metadata"]["name"]
    dv = f"{name}-root"
    vm["spec"]["dataVolumeTemplates"] = [
        {
            "metadata": {"name": dv},
            "spec": {"source": source, "storage": {"resources": {"requests": {"storage": size}}}},
        }
    ]
    vm["spec"]["template"]["spec"]["volumes"] = [{"name": "root", "dataVolume": {"name": dv}}]
    return vm


def test_data_volume_pvc_and_pv_are_created_bound_and_used(
    kubevirt: KubeVirt, storage: Storage, simulator: SimulatorHandle
) -> None:
    body = with_data_volume(
        vm_manifest("disk", nodes=simulator.node_names), {"registry": {"url": "docker://quay.io/x/cirros:1"}}
    )
    vm = kubevirt.create_vm(body)
    vmi = kubevirt.wait_vmi_phase("disk", "Running", timeout=30)
    assert vmi["spec"]["volumes"] == [{"name": "root", "dataVolume": {"name": "disk-root"}}]
    dv = storage.dv("disk-root")
    assert dv is not None
    assert controller_uid(dv) == vm["metadata"]["uid"]
    assert phase(dv) == "Succeeded"
    assert dv["status"]["progress"] == "100.0%"
    assert find_condition(dv, "Ready")["status"] == "True"  # type: ignore[index]
    pvc = storage.pvc("disk-root")
    assert pvc is not None
    assert controller_uid(pvc) == dv["metadata"]["uid"]
    assert pvc["spec"]["storageClassName"] == "kubevirt-simulator"  # the default class, by admission
    assert pvc["spec"]["resources"]["requests"]["storage"] == "1Gi"
    assert (
        pvc["metadata"]["annotations"]["cdi.kubevirt.io/storage.import.endpoint"]
        == "docker://quay.io/x/cirros:1"
    )
    assert phase(pvc) == "Bound"
    assert pvc["status"]["capacity"]["storage"] == "1Gi"
    pv = storage.pv(pvc["spec"]["volumeName"])
    assert pv is not None
    assert phase(pv) == "Bound"
    assert pv["spec"]["claimRef"]["uid"] == pvc["metadata"]["uid"]
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert (
        pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"]
        == "csi.kubevirt-simulator.kubenova.io"
    )
    vm_status = kubevirt.wait_vm_status("disk", "Running")
    assert find_condition(vm_status, "DataVolumesReady") is None  # a running VM shows the VMI's conditions

    # Stop and start: the same DataVolume and PVC, not imported again.
    kubevirt.patch("virtualmachines", "disk", {"spec": {"runStrategy": "Halted"}})
    kubevirt.wait_vm_status("disk", "Stopped")
    kubevirt.patch("virtualmachines", "disk", {"spec": {"runStrategy": "Always"}})
    kubevirt.wait_vmi_phase("disk", "Running", timeout=30)
    again = storage.pvc("disk-root")
    assert again is not None
    assert again["metadata"]["uid"] == pvc["metadata"]["uid"]
    assert (storage.dv("disk-root") or {})["metadata"]["uid"] == dv["metadata"]["uid"]

    # Expansion grows the PV and the claim's capacity; shrinking is refused by the API server.
    storage.patch_pvc("disk-root", {"spec": {"resources": {"requests": {"storage": "2Gi"}}}})
    wait_for(
        lambda: (
            ((storage.pvc("disk-root") or {}).get("status") or {}).get("capacity", {}).get("storage") == "2Gi"
        ),
        timeout=15,
        message="PVC capacity 2Gi",
    )
    assert (storage.pv(pvc["spec"]["volumeName"]) or {})["spec"]["capacity"]["storage"] == "2Gi"
    with pytest.raises(ApiException) as refused:
        storage.patch_pvc("disk-root", {"spec": {"resources": {"requests": {"storage": "1Gi"}}}})
    assert refused.value.status == 422

    # The VM goes: its DataVolume, the PVC and the PV go with it (garbage collector, reclaim Delete).
    kubevirt.delete("virtualmachines", "disk")
    wait_for(lambda: storage.dv("disk-root") is None, timeout=30, message="DataVolume deleted")
    wait_for(lambda: storage.pvc("disk-root") is None, timeout=30, message="PVC deleted")
    wait_for(lambda: storage.pv(pvc["spec"]["volumeName"]) is None, timeout=30, message="PV deleted")


def test_unreachable_import_is_a_data_volume_error_and_the_vmi_never_starts(
    kubevirt: KubeVirt, storage: Storage, simulator: SimulatorHandle
) -> None:
    body = with_data_volume(
        vm_manifest("broken", nodes=simulator.node_names), {"http": {"url": "http://images.invalid/x.img"}}
    )
    kubevirt.create_vm(body)
    vm = kubevirt.wait_vm_status("broken", "DataVolumeError", timeout=30)
    failure = find_condition(vm, "Failure")
    assert failure is not None
    assert failure["reason"] == "FailedDataVolumeImport"
    assert "no such host" in failure["message"]
    assert (find_condition(vm, "DataVolumesReady") or {}).get("status") == "False"
    dv = storage.dv("broken-root")
    assert phase(dv) == "ImportInProgress"
    running = find_condition(dv or {}, "Running")
    assert running is not None
    assert (running["status"], running["reason"]) == ("False", "Error")
    assert (dv or {})["status"]["restartCount"] >= 1
    assert kubevirt.vmi("broken") is None  # DataVolumeError: virt-controller does not start it


def test_clone_waits_for_its_source_then_succeeds(storage: Storage, kubevirt: KubeVirt) -> None:
    def dv_body(name: str, source: dict[str, Any]) -> dict[str, Any]:
        return {
            "apiVersion": "cdi.kubevirt.io/v1beta1",
            "kind": "DataVolume",
            "metadata": {"name": name},
            "spec": {"source": source, "storage": {"resources": {"requests": {"storage": "1Gi"}}}},
        }

    storage.create_dv(dv_body("copy", {"pvc": {"namespace": storage.namespace, "name": "golden"}}))
    wait_for(
        lambda: (
            (find_condition(storage.dv("copy") or {}, "Running") or {}).get("reason") == "CloneWithoutSource"
        ),
        timeout=15,
        message="clone waits for its source",
    )
    storage.create_dv(dv_body("golden", {"blank": {}}))
    wait_for(lambda: phase(storage.dv("golden")) == "Succeeded", timeout=15, message="blank DataVolume")
    wait_for(lambda: phase(storage.dv("copy")) == "Succeeded", timeout=30, message="cloned DataVolume")
    assert (storage.pvc("copy") or {})["metadata"]["annotations"][
        "k8s.io/CloneRequest"
    ] == f"{storage.namespace}/golden"
