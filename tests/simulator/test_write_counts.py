"""What the simulator writes for one bare VM (no DataVolume), create → Running → delete → gone,
counted by the kube-apiserver (``apiserver_request_total`` by verb, resource and code).

The sequence is KubeVirt's, as documented in ``operator/kubevirt_simulator/README.md`` ("What it
costs the apiserver"): the counts below are that table's. In the simulator test session only the
simulator writes VMIs, launcher Pods and VM status/finalizers; the test's own writes are the VM's
create and delete. The counters are cluster-wide (the namespace controller's deletes too), so the
test first waits until no other VM, VMI, launcher Pod or namespace holding them is in transition
(being deleted, or a VMI between phases) and fails if any of them changed while it counted. The
simulator's Events (KubeVirt's) are read from the test's namespace. VM status writes are one per
sync that sees a change, as in KubeVirt's ``updateStatus``: the first and the last of each half
always happen, the one in between only when the VM controller saw the VMI between the two (on a
loaded machine two VMI changes can reach it as one).
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
CREATE_EVENTS = {
    "VirtualMachine SuccessfulCreate": 1,  # virt-controller: the VMI created
    "VirtualMachineInstance SuccessfulCreate": 1,  # virt-controller: the launcher pod created
    "VirtualMachineInstance Created": 1,  # virt-handler: the domain defined
    "VirtualMachineInstance Started": 1,  # virt-handler: Running
}
DELETE_EVENTS = {
    "VirtualMachine SuccessfulDelete": 1,  # virt-controller: the VMI deleted
    "VirtualMachineInstance Deleted": 2,  # virt-handler: killed (grace period 0), domain deleted
    "VirtualMachineInstance Stopped": 1,  # virt-handler: Succeeded
    "VirtualMachineInstance SuccessfulDelete": 1,  # virt-controller: the launcher pod deleted
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
        if code == "404":  # nothing written (e.g. the namespace controller deleting a Pod already gone)
            continue
        writes[f"{verb} {resource}"] += n
        if code in ("409", "422"):
            refused[f"{verb} {resource} {code}"] += n
    return writes, refused


def others(api: client.ApiClient, namespace: str) -> dict[str, dict[str, Any]]:
    """VMs, VMIs and launcher Pods outside ``namespace``, by 'kind namespace/name', and the
    namespaces being deleted that hold any of them ('namespaces name/')."""
    custom, core = client.CustomObjectsApi(api), client.CoreV1Api(api)
    found: dict[str, dict[str, Any]] = {}
    for plural in ("virtualmachines", "virtualmachineinstances"):
        for obj in custom.list_cluster_custom_object(GROUP, VERSION, plural)["items"]:
            found[f"{plural} {obj['metadata']['namespace']}/{obj['metadata']['name']}"] = obj
    pods = core.list_pod_for_all_namespaces(label_selector="kubevirt.io=virt-launcher").items
    for pod in pods:
        found[f"pods {pod.metadata.namespace}/{pod.metadata.name}"] = api.sanitize_for_serialization(pod)
    holding = {key.split()[1].split("/")[0] for key in found}
    for ns in core.list_namespace().items:
        # The namespace controller still deletes there (each VM, VMI and Pod, in several passes).
        if ns.metadata.deletion_timestamp is not None and ns.metadata.name in holding:
            meta = {"deletionTimestamp": "set", "resourceVersion": ns.metadata.resource_version}
            found[f"namespaces {ns.metadata.name}/"] = {"metadata": meta}
    return {key: obj for key, obj in found.items() if key.split()[1].split("/")[0] != namespace}


def in_transition(key: str, obj: dict[str, Any]) -> bool:
    """Something still to be written for: a deletion (a launcher Pod's included, or a namespace's:
    earlier tests' namespaces go with their running VMs, the simulated kubelet ending their
    launcher pods, and the namespace controller's deletes are counted too) or a VMI between
    phases (one that fits on no Node waits, unwritten, until a Node changes)."""
    kind = key.split(maxsplit=1)[0]
    status = obj.get("status") or {}
    if (obj.get("metadata") or {}).get("deletionTimestamp"):
        return True
    if kind == "virtualmachineinstances":
        unschedulable = any(
            c.get("type") == "PodScheduled" and c.get("status") == "False"
            for c in status.get("conditions") or []
        )
        return status.get("phase") not in ("Running", "Succeeded", "Failed") and not unschedulable
    if kind == "virtualmachines":
        return status.get("printableStatus") in (
            "Starting",
            "Stopping",
            "Terminating",
            "Provisioning",
            "Migrating",
        )
    return False


def steady_others(api: client.ApiClient, namespace: str) -> dict[str, str]:
    """Wait until no other VM/VMI/launcher Pod is in transition (earlier tests' namespaces are still
    being deleted with their Running VMs); their resourceVersions then."""
    moving: list[str] = []

    def steady() -> dict[str, str] | None:
        nonlocal moving
        found = others(api, namespace)
        moving = [key for key, obj in found.items() if in_transition(key, obj)]
        return (
            None
            if moving
            else {k: str(o["metadata"]["resourceVersion"]) for k, o in found.items()} or {"": ""}
        )

    try:
        result: dict[str, str] = wait_for(steady, timeout=120, message="other VMs and VMIs steady")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: still moving: {moving}") from None
    return result


def unchanged_others(api: client.ApiClient, namespace: str, before: dict[str, str]) -> None:
    """The counts are cluster-wide: they are ours only if nothing else changed meanwhile."""
    now = {k: str(o["metadata"]["resourceVersion"]) for k, o in others(api, namespace).items()} or {"": ""}
    changed = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    assert not changed, f"objects of other tests changed while counting, the counts are not ours: {changed}"


def events_of(kubevirt: KubeVirt, name: str) -> Counter[str]:
    """The simulator's Events on VM/VMI ``name``, as 'Kind reason'."""
    found: Counter[str] = Counter()
    for event in kubevirt.core.list_namespaced_event(kubevirt.namespace).items:
        involved = event.involved_object
        if involved.name == name and involved.kind in ("VirtualMachine", "VirtualMachineInstance"):
            found[f"{involved.kind} {event.reason}"] += event.count or 1
    return found


def wait_events(kubevirt: KubeVirt, name: str, expected: Counter[str]) -> Counter[str]:
    """The Events once at least ``expected`` are there (each is posted right after its write)."""
    result: Counter[str] = wait_for(
        lambda: (found := events_of(kubevirt, name)) >= expected and found,
        timeout=15,
        message=f"Events {dict(expected)}",
    )
    return result


def vm_running_and_ready(kubevirt: KubeVirt, name: str) -> dict[str, Any] | None:
    vm = kubevirt.vm(name) or {}
    status = vm.get("status") or {}
    return vm if status.get("printableStatus") == "Running" and status.get("ready") is True else None


def test_one_vm_lifecycle_costs_what_kubevirt_writes(kubevirt: KubeVirt, simulator: SimulatorHandle) -> None:
    api = kubevirt.custom.api_client
    steady = steady_others(api, kubevirt.namespace)
    before = scrape(api)
    kubevirt.create_vm(vm_manifest("counted", nodes=simulator.node_names))
    vmi = kubevirt.wait_vmi_phase("counted", "Running")
    wait_for(lambda: vm_running_and_ready(kubevirt, "counted"), timeout=15, message="VM Running and ready")
    created = scrape(api)
    unchanged_others(api, kubevirt.namespace, steady)
    writes, refused = counted_writes(before, created)
    writes.subtract({"create virtualmachines": 1})  # the test's own
    writes += Counter()
    print(f"simulator writes per create -> Running: {sum(writes.values())} = {dict(writes)}")
    assert not refused, refused
    events = wait_events(kubevirt, "counted", Counter(CREATE_EVENTS))
    print(f"simulator Events per create -> Running: {sum(events.values())} = {dict(events)}")
    assert events == Counter(CREATE_EVENTS)
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
    unchanged_others(api, kubevirt.namespace, steady)
    writes.subtract({"delete virtualmachines": 1})  # the test's own
    writes += Counter()
    print(f"simulator writes per delete -> gone: {sum(writes.values())} = {dict(writes)}")
    assert not refused, refused
    events = wait_events(kubevirt, "counted", Counter(CREATE_EVENTS) + Counter(DELETE_EVENTS))
    events.subtract(CREATE_EVENTS)
    print(f"simulator Events per delete -> gone: {sum(events.values())} = {dict(+events)}")
    assert +events == Counter(DELETE_EVENTS)
    low, high = VM_STATUS_RANGE["delete"]
    assert low <= writes.pop(VM_STATUS, 0) <= high, writes
    assert writes == Counter(DELETE_TO_GONE)
    pods = kubevirt.core.list_namespaced_pod(kubevirt.namespace, label_selector="kubevirt.io=virt-launcher")
    assert pods.items == []
