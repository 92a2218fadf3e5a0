"""Resize on KubeVirt: a cold move of the VirtualMachine (halted, reshaped, pinned to the new host,
its root PVC grown, started again) to VERIFY_RESIZE, with the old host's resources held until
confirmResize; revertResize restores flavor, host and VM shape (the grown disk stays); a SIGKILLed
operator finishes it; NoValidHost and a shrinking disk leave the server as it was.

Each test has its own zone of two simulator Nodes with 4 vCPUs each (allocation ratio 1.0), so
placements are exact and nothing else in the session competes for them. Resizes are asked
through the Server's spec (``kubectl patch``), as the gateway writes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.integration.compute import Compute, Obj, unique
from tests.support.cluster import Cluster
from tests.support.storage import Storage
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

GI = "Gi"


@dataclass
class Zone:
    name: str
    nodes: list[str]
    small: str  # 2 vCPUs, 1 GiB disk
    big: str  # 4 vCPUs (a whole Node), 2 GiB disk
    image: str


@pytest.fixture
def zone(managed_node: ManagedNodeFactory, compute: Compute) -> Zone:
    nodes = [managed_node(unique("rsz"), cpu="4", memory="64Gi") for _ in range(2)]
    name = unique("az-rsz")
    ratios = {"cpu_allocation_ratio": "1.0", "ram_allocation_ratio": "1.0"}
    compute.aggregate(zone=name, hosts=nodes, metadata=ratios)
    return Zone(
        name,
        nodes,
        compute.flavor(vcpus=2, ram=256, disk=1),
        compute.flavor(vcpus=4, ram=512, disk=2),
        compute.image(),
    )


def create(compute: Compute, zone: Zone, name: str, flavor: str | None = None, **spec: Any) -> Obj:
    compute.create_server(
        name, flavor=flavor or zone.small, image=zone.image, availabilityZone=zone.name, **spec
    )
    return compute.wait_status(name, "SHUTOFF" if spec.get("powerState") == "Stopped" else "ACTIVE")


def resize(compute: Compute, name: str, flavor: str, request_id: str) -> None:
    compute.patch_server(name, {"flavor": flavor, "resize": {"requestId": request_id}})


def decide(compute: Compute, name: str, action: str, request_id: str) -> None:
    compute.patch_server(name, {"resizeDecision": {"action": action, "requestId": request_id}})


def shape(vm: Obj | None) -> tuple[int, str, str, str]:
    assert vm is not None
    spec = vm["spec"]["template"]["spec"]
    domain = spec["domain"]
    return (
        domain["cpu"]["cores"],
        domain["memory"]["guest"],
        domain["resources"]["requests"]["memory"],
        spec["nodeSelector"]["kubernetes.io/hostname"],
    )


def vmi_on(compute: Compute, name: str, host: str, cores: int) -> Obj:
    def running() -> Obj | None:
        vmi = compute.vmi(name)
        if vmi is None or (vmi.get("status") or {}).get("phase") != "Running":
            return None
        if vmi["status"].get("nodeName") != host or vmi["spec"]["domain"]["cpu"]["cores"] != cores:
            return None
        return vmi

    found = wait_for(running, timeout=30, message=f"VMI of {name} running on {host} with {cores} cores")
    assert found is not None
    return found


def pvc_size(storage: Storage, name: str) -> tuple[str, str | None]:
    pvc = storage.pvc(f"{name}-root")
    assert pvc is not None
    return pvc["spec"]["resources"]["requests"]["storage"], (pvc.get("status") or {}).get("capacity", {}).get(
        "storage"
    )


def other(zone: Zone, host: str) -> str:
    return next(n for n in zone.nodes if n != host)


def test_resize_moves_reshapes_grows_and_confirm_frees_the_old_host(
    compute: Compute, zone: Zone, storage: Storage
) -> None:
    first = create(compute, zone, "grow")
    source = first["status"]["host"]
    assert pvc_size(storage, "grow")[0] == "1Gi"
    resize(compute, "grow", zone.big, "req-resize-1")
    resized = compute.wait_status("grow", "VERIFY_RESIZE", timeout=90)
    target = other(zone, source)  # allow_resize_to_same_host is off: the other Node
    assert resized["status"]["host"] == target
    assert resized["status"]["flavor"]["vcpus"] == 4
    assert resized["status"]["resize"]["sourceHost"] == source
    assert shape(compute.vm("grow")) == (4, "512Mi", "512Mi", target)
    vmi_on(compute, "grow", target, 4)
    wait_for(lambda: pvc_size(storage, "grow") == ("2Gi", "2Gi"), timeout=30, message="root PVC grown to 2Gi")
    resize_action = next(a for a in resized["status"]["actions"] if a["action"] == "resize")
    assert (resize_action["requestId"], resize_action["result"]) == ("req-resize-1", "Success")

    # The old host is still held: a whole-Node server fits on neither Node now.
    compute.create_server("blocked", flavor=zone.big, image=zone.image, availabilityZone=zone.name)
    blocked = compute.wait_status("blocked", "ERROR")
    assert blocked["status"]["fault"]["message"] == "No valid host was found."

    decide(compute, "grow", "Confirm", "req-confirm-1")
    confirmed = compute.wait_status("grow", "ACTIVE")
    assert confirmed["status"].get("resize") is None
    assert confirmed["status"]["host"] == target
    assert shape(compute.vm("grow")) == (4, "512Mi", "512Mi", target)
    # ... and once confirmed, a whole-Node server is placed on the freed Node.
    compute.create_server("fits", flavor=zone.big, image=zone.image, availabilityZone=zone.name)
    assert compute.wait_status("fits", "ACTIVE")["status"]["host"] == source
    vmi_on(compute, "fits", source, 4)


def test_revert_restores_flavor_host_and_vm_shape_and_keeps_the_grown_disk(
    compute: Compute, zone: Zone, storage: Storage, cluster: Cluster
) -> None:
    first = create(compute, zone, "back")
    source = first["status"]["host"]
    uid = compute.vmi("back")["metadata"]["uid"]  # type: ignore[index]
    # The kubectl path: the same spec intent the gateway writes.
    patch = {"spec": {"flavor": zone.big, "resize": {"requestId": "req-kubectl-resize"}}}
    ns = compute.namespace
    cluster.run_kubectl("patch", "server", "back", "-n", ns, "--type=merge", "-p", json.dumps(patch))
    compute.wait_status("back", "VERIFY_RESIZE", timeout=90)
    wait_for(lambda: pvc_size(storage, "back") == ("2Gi", "2Gi"), timeout=30, message="root PVC grown")
    row = cluster.run_kubectl("get", "server", "back", "-n", ns, "--no-headers").stdout
    assert "VERIFY_RESIZE" in row

    revert = {"spec": {"flavor": zone.small, "resizeDecision": {"action": "Revert", "requestId": "req-rv"}}}
    cluster.run_kubectl("patch", "server", "back", "-n", ns, "--type=merge", "-p", json.dumps(revert))
    reverted = compute.wait_status("back", "ACTIVE", timeout=90)
    assert reverted["status"]["host"] == source
    assert reverted["status"]["flavor"]["vcpus"] == 2
    assert reverted["status"].get("resize") is None
    assert shape(compute.vm("back")) == (2, "256Mi", "256Mi", source)
    vmi = vmi_on(compute, "back", source, 2)
    assert vmi["metadata"]["uid"] != uid
    assert pvc_size(storage, "back") == ("2Gi", "2Gi")  # a claim never shrinks: the disk keeps its data
    actions = [(a["action"], a["result"]) for a in reverted["status"]["actions"]]
    assert ("resize", "Success") in actions
    assert ("revertResize", "Success") in actions
    # Both Nodes are free again but for the reverted server: a whole-Node server fits the other.
    compute.create_server("after", flavor=zone.big, image=zone.image, availabilityZone=zone.name)
    assert compute.wait_status("after", "ACTIVE")["status"]["host"] == other(zone, source)


def test_stopped_server_resizes_and_stays_stopped(compute: Compute, zone: Zone) -> None:
    first = create(compute, zone, "cold", powerState="Stopped")
    resize(compute, "cold", zone.big, "req-cold")
    resized = compute.wait_status("cold", "VERIFY_RESIZE", timeout=90)
    target = resized["status"]["host"]
    assert target != first["status"]["host"]
    assert resized["status"]["powerState"] == "Shutdown"
    vm = compute.vm("cold")
    assert vm is not None
    assert vm["spec"]["runStrategy"] == "Halted"
    assert shape(vm) == (4, "512Mi", "512Mi", target)
    assert compute.vmi("cold") is None
    decide(compute, "cold", "Confirm", "req-cold-confirm")
    assert compute.wait_status("cold", "SHUTOFF")["status"].get("resize") is None


def test_operator_killed_mid_resize_finishes_it(
    compute: Compute, zone: Zone, storage: Storage, operator: OperatorHandle
) -> None:
    first = create(compute, zone, "crash")
    source = first["status"]["host"]
    resize(compute, "crash", zone.big, "req-crash")

    def resizing() -> Obj | None:
        server = compute.server("crash")
        return server if (server.get("status") or {}).get("taskState", "").startswith("resize") else None

    wait_for(resizing, timeout=30, interval=0.05, message="resize under way")
    operator.kill()
    try:
        during = compute.server("crash")["status"]
        assert during["resize"]["sourceHost"] == source  # the old host's hold is persisted
        assert during["resize"]["targetHost"] == other(zone, source)
    finally:
        operator.start()
    resized = compute.wait_status("crash", "VERIFY_RESIZE", timeout=90)
    target = other(zone, source)
    assert resized["status"]["host"] == target
    assert shape(compute.vm("crash")) == (4, "512Mi", "512Mi", target)
    vmi_on(compute, "crash", target, 4)
    wait_for(lambda: pvc_size(storage, "crash") == ("2Gi", "2Gi"), timeout=30, message="root PVC grown")
    # After the restart the hold on the old host is still counted.
    compute.create_server("held", flavor=zone.big, image=zone.image, availabilityZone=zone.name)
    assert compute.wait_status("held", "ERROR")["status"]["fault"]["message"] == "No valid host was found."


def test_no_valid_host_and_shrinking_disk_leave_the_server_as_it_was(
    compute: Compute, zone: Zone, storage: Storage
) -> None:
    huge = compute.flavor(vcpus=8, ram=256, disk=2)
    tiny_disk = compute.flavor(vcpus=2, ram=512, disk=1)
    first = create(compute, zone, "stay", flavor=zone.big)
    host = first["status"]["host"]
    vm_before = compute.vm("stay")
    resize(compute, "stay", huge, "req-novalid")

    def failed(request_id: str) -> Any:
        def check() -> Obj | None:
            server = compute.server("stay")
            records = [a for a in server["status"].get("actions", []) if a["requestId"] == request_id]
            return server if records and records[0].get("result") == "Error" else None

        return check

    after = wait_for(failed("req-novalid"), timeout=30, message="resize failed")
    assert after is not None
    assert after["status"]["status"] == "ACTIVE"
    assert after["status"]["host"] == host
    assert after["status"]["flavor"]["vcpus"] == 4
    assert after["status"]["fault"]["message"] == "No valid host was found."
    record = next(a for a in after["status"]["actions"] if a["requestId"] == "req-novalid")
    assert record["message"] == "No valid host was found."
    assert "CoreFilter" in after["status"]["fault"]["details"]
    vm = compute.vm("stay")
    assert vm is not None
    assert vm_before is not None
    assert vm["metadata"]["generation"] == vm_before["metadata"]["generation"]  # never touched
    assert vm["spec"]["runStrategy"] == "Always"

    resize(compute, "stay", tiny_disk, "req-shrink")
    shrunk = wait_for(failed("req-shrink"), timeout=30, message="shrinking resize refused")
    assert shrunk is not None
    record = next(a for a in shrunk["status"]["actions"] if a["requestId"] == "req-shrink")
    assert record["message"] == "Resize error: Unable to resize disk down."
    assert (shrunk["status"]["status"], shrunk["status"]["host"]) == ("ACTIVE", host)
    assert pvc_size(storage, "stay")[0] == "2Gi"
    vmi_on(compute, "stay", host, 4)


@pytest.fixture
def same_host_and_auto_confirm(operator: OperatorHandle) -> Any:
    """The operator with allow_resize_to_same_host and a 2 s confirm window (resync every second)."""
    extra = {
        "KUBENOVA_ALLOW_RESIZE_TO_SAME_HOST": "true",
        "KUBENOVA_RESIZE_CONFIRM_WINDOW": "2",
        "KUBENOVA_RESYNC_SECONDS": "1",
    }
    with operator.configured(extra):
        yield


def test_same_host_resize_when_allowed_and_auto_confirm(
    compute: Compute, managed_node: ManagedNodeFactory, storage: Storage, same_host_and_auto_confirm: None
) -> None:
    node = managed_node(unique("one"), cpu="8", memory="64Gi")
    name = unique("az-one")
    compute.aggregate(zone=name, hosts=[node], metadata={"cpu_allocation_ratio": "1.0"})
    small, big = compute.flavor(vcpus=2, ram=256, disk=1), compute.flavor(vcpus=4, ram=512, disk=2)
    compute.create_server("same", flavor=small, image=compute.image(), availabilityZone=name)
    compute.wait_status("same", "ACTIVE")
    resize(compute, "same", big, "req-same")
    resized = compute.wait_status("same", "VERIFY_RESIZE", timeout=90)
    assert resized["status"]["host"] == node
    assert resized["status"]["resize"]["sourceHost"] == node
    assert shape(compute.vm("same")) == (4, "512Mi", "512Mi", node)
    vmi_on(compute, "same", node, 4)
    # Nobody confirms: the window does.
    confirmed = compute.wait_status("same", "ACTIVE", timeout=30)
    assert confirmed["status"].get("resize") is None
    record = next(a for a in confirmed["status"]["actions"] if a["action"] == "confirmResize")
    assert record["result"] == "Success"
    assert pvc_size(storage, "same")[0] == "2Gi"


def test_vm_failing_on_the_new_host_is_error_with_the_resize_failed(compute: Compute, zone: Zone) -> None:
    first = create(compute, zone, "broken")
    target = other(zone, first["status"]["host"])
    compute.core.patch_node(
        target, {"metadata": {"annotations": {"kubevirt-simulator.kubenova.io/fail-vmis": "true"}}}
    )
    resize(compute, "broken", zone.big, "req-broken")
    failed = compute.wait_status("broken", "ERROR", timeout=90)
    assert failed["status"]["host"] == target
    record = next(a for a in failed["status"]["actions"] if a["requestId"] == "req-broken")
    assert record["result"] == "Error"
    assert failed["status"]["resize"]["sourceHost"] == first["status"]["host"]  # holds kept
    assert shape(compute.vm("broken")) == (4, "512Mi", "512Mi", target)
