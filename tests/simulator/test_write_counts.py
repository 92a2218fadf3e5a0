"""What the simulator writes for one bare VM (no DataVolume), create → Running → delete → gone,
counted by the kube-apiserver (``apiserver_request_total`` by verb, resource and code).

The sequence is KubeVirt's, as documented in ``operator/kubevirt_simulator/README.md`` ("What it
costs the apiserver"): the counts below are that table's. In the simulator test session only the
simulator writes VMIs, launcher Pods and VM status/finalizers; the test's own writes are the VM's
create and delete. The counters are cluster-wide, so the test first waits until no other VM, VMI or
launcher Pod exists. VM status writes are one per sync that sees a change, as in KubeVirt's
``updateStatus``: the first and the last of each half always happen, the one in between only when
the VM controller saw the VMI between the two (on a loaded machine two VMI changes can reach it as one).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from kubernetes import client

from tests.bench.apiserver_metrics import Key, scrape
from tests.fixtures.simulator import SimulatorHandle
from tests.simulator.kubevirt import GROUP, VERSION, KubeVirt, vm_manifest
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

COUNTED = {"virtualmachines", "virtualmachineinstances", "pods"}

CREATE_TO_RUNNING = {
    "patch virtualmachines": 1,  # virt-controller: its finalizer (addVMFinalizer)
    "create virtualmachineinstances": 1,  # virt-controller: startVMI (with virt-handler's finalizer)
    "create pods": 1,  # virt-controller: the virt-launcher pod
    "patch pods/status": 1,  # the kubelet: the launcher pod Running
    "patch virtualmachineinstances/status": 3,  # Scheduling, Scheduled, Running
    "patch virtualmachineinstances": 1,  # the kubevirt.io/nodeName label at Scheduled
}
DELETE_TO_GONE = {
    "delete virtualmachineinstances": 1,  # virt-controller: stopVMI
    "patch virtualmachineinstances/status": 1,  # virt-handler: Succeeded
    "delete pods": 1,  # the kubelet's final delete (grace period 0)
    "patch virtualmachineinstances": 2,  # virt-handler's finalizer, then virt-controller's
    "patch virtualmachines": 1,  # virt-controller: its finalizer off the VM (removeVMFinalizer)
}
VM_STATUS = "patch virtualmachines/status"
VM_STATUS_RANGE = {"create": (2, 3), "delete": (2, 3)}


def counted_writes(before: Counter[Key], after: Counter[Key]) -> tuple[Counter[str], Counter[str]]:
    """(writes as 'verb resource[/sub]', refused answers) to the counted resources between scrapes."""
    writes: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    for (verb, resource, code), n in (after - before).items():
        if resource.split("/")[0] not in COUNTED or verb not in ("create", "update", "patch", "delete"):
            continue
        writes[f"{verb} {resource}"] += n
        if code in ("409", "422"):
            refused[f"{verb} {resource} {code}"] += n
    return writes, refused


def quiet_cluster(api: client.ApiClient) -> None:
    """No VM, VMI or launcher Pod left by earlier tests, so every write counted is for ours."""
    custom, core = client.CustomObjectsApi(api), client.CoreV1Api(api)

    def quiet() -> bool:
        kinds = ("virtualmachines", "virtualmachineinstances")
        if any(custom.list_cluster_custom_object(GROUP, VERSION, k)["items"] for k in kinds):
            return False
        return not core.list_pod_for_all_namespaces(label_selector="kubevirt.io=virt-launcher").items

    wait_for(quiet, timeout=120, message="VMs, VMIs and launcher pods of earlier tests gone")


def vm_running_and_ready(kubevirt: KubeVirt, name: str) -> dict[str, Any] | None:
    vm = kubevirt.vm(name) or {}
    status = vm.get("status") or {}
    return vm if status.get("printableStatus") == "Running" and status.get("ready") is True else None


def test_one_vm_lifecycle_costs_what_kubevirt_writes(kubevirt: KubeVirt, simulator: SimulatorHandle) -> None:
    api = kubevirt.custom.api_client
    quiet_cluster(api)
    before = scrape(api)
    kubevirt.create_vm(vm_manifest("counted", nodes=simulator.node_names))
    vmi = kubevirt.wait_vmi_phase("counted", "Running")
    wait_for(lambda: vm_running_and_ready(kubevirt, "counted"), timeout=15, message="VM Running and ready")
    created = scrape(api)
    writes, refused = counted_writes(before, created)
    writes.subtract({"create virtualmachines": 1})  # the test's own
    writes += Counter()
    print(f"simulator writes per create -> Running: {sum(writes.values())} = {dict(writes)}")
    assert not refused, refused
    low, high = VM_STATUS_RANGE["create"]
    assert low <= writes.pop(VM_STATUS, 0) <= high, writes
    assert writes == Counter(CREATE_TO_RUNNING)
    assert [t["phase"] for t in vmi["status"]["phaseTransitionTimestamps"]] == [
        "Scheduling",
        "Scheduled",
        "Running",
    ]
    pods = kubevirt.core.list_namespaced_pod(kubevirt.namespace, label_selector="kubevirt.io=virt-launcher")
    assert [p.status.phase for p in pods.items] == ["Running"]

    kubevirt.delete("virtualmachines", "counted")
    kubevirt.wait_gone("virtualmachines", "counted")
    kubevirt.wait_gone("virtualmachineinstances", "counted")
    writes, refused = counted_writes(created, scrape(api))
    writes.subtract({"delete virtualmachines": 1})  # the test's own
    writes += Counter()
    print(f"simulator writes per delete -> gone: {sum(writes.values())} = {dict(writes)}")
    assert not refused, refused
    low, high = VM_STATUS_RANGE["delete"]
    assert low <= writes.pop(VM_STATUS, 0) <= high, writes
    assert writes == Counter(DELETE_TO_GONE)
    pods = kubevirt.core.list_namespaced_pod(kubevirt.namespace, label_selector="kubevirt.io=virt-launcher")
    assert pods.items == []
