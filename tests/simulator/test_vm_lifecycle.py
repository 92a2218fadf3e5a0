"""virt-controller behaviour: run strategies, VMI creation and deletion, VM status."""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

import pytest

from tests.fixtures.simulator import FAIL_VMIS_ANNOTATION, ManagedNodeFactory, SimulatorHandle
from tests.simulator.kubevirt import (
    IP_CIDR,
    KubeVirt,
    condition,
    find_condition,
    vm_manifest,
    vmi_address,
    wait_object,
)
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

FIRMWARE_NAMESPACE = uuid.UUID("6a1a24a1-4061-4607-8bf4-a3963d0c5895")


def test_always_creates_a_running_vmi_from_the_template(
    kubevirt: KubeVirt, simulator: SimulatorHandle
) -> None:
    vm = kubevirt.create_vm(
        vm_manifest("web", nodes=simulator.node_names, labels={"app": "web"}, annotations={"note": "kept"})
    )
    vmi = kubevirt.wait_vmi_phase("web", "Running")
    meta = vmi["metadata"]
    (owner,) = meta["ownerReferences"]
    assert owner == {
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachine",
        "name": "web",
        "uid": vm["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
    assert meta["labels"]["app"] == "web"
    assert meta["labels"]["kubevirt.io/nodeName"] == vmi["status"]["nodeName"]
    assert meta["annotations"]["note"] == "kept"
    assert vmi["spec"]["domain"]["memory"] == {"guest": "1Gi"}
    assert vmi["spec"]["domain"]["firmware"]["uuid"] == str(uuid.uuid5(FIRMWARE_NAMESPACE, "web"))
    status = vmi["status"]
    assert status["nodeName"] in simulator.node_names
    assert [t["phase"] for t in status["phaseTransitionTimestamps"]] == [
        "Scheduling",
        "Scheduled",
        "Running",
    ]
    (iface,) = status["interfaces"]
    assert iface["name"] == "default"
    assert iface["ipAddresses"] == [iface["ipAddress"]]
    assert iface["mac"].startswith("02:")
    assert condition(vmi, "Ready")["status"] == "True"
    assert condition(vmi, "LiveMigratable")["status"] == "True"

    running = kubevirt.wait_vm_status("web", "Running")
    vm_status = running["status"]
    assert vm_status["created"] is True
    assert vm_status["ready"] is True
    assert vm_status["observedGeneration"] == running["metadata"]["generation"]
    assert condition(running, "Ready")["status"] == "True"
    assert "kubevirt.io/virtualMachineControllerFinalize" in running["metadata"]["finalizers"]


def test_addresses_are_unique_and_from_the_pool(kubevirt: KubeVirt, simulator: SimulatorHandle) -> None:
    names = [f"vm-{i}" for i in range(4)]
    for name in names:
        kubevirt.create_vm(vm_manifest(name, nodes=simulator.node_names))
    vmis = [kubevirt.wait_vmi_phase(name, "Running") for name in names]
    addresses = [vmi_address(v) for v in vmis]
    macs = [v["status"]["interfaces"][0]["mac"] for v in vmis]
    assert len(set(addresses)) == len(addresses)
    assert len(set(macs)) == len(macs)
    assert all(ipaddress_in_pool(a) for a in addresses)


def ipaddress_in_pool(address: str) -> bool:
    return ipaddress.IPv4Address(address) in IP_CIDR


def test_halted_stops_and_always_starts_again_with_a_new_address(
    kubevirt: KubeVirt, simulator: SimulatorHandle
) -> None:
    kubevirt.create_vm(vm_manifest("toggle", nodes=simulator.node_names))
    first = kubevirt.wait_vmi_phase("toggle", "Running")
    kubevirt.patch("virtualmachines", "toggle", {"spec": {"runStrategy": "Halted"}})
    kubevirt.wait_gone("virtualmachineinstances", "toggle")

    def stopped_without_vmi() -> dict[str, Any] | None:
        vm = kubevirt.vm("toggle")
        ready = find_condition(vm or {}, "Ready") or {}
        return vm if ready.get("reason") == "VMINotExists" else None

    stopped = wait_object(stopped_without_vmi, timeout=10, message="VM status says the VMI is gone")
    assert stopped["status"]["printableStatus"] == "Stopped"
    assert "created" not in stopped["status"]
    assert "ready" not in stopped["status"]

    kubevirt.patch("virtualmachines", "toggle", {"spec": {"runStrategy": "Always"}})
    second = kubevirt.wait_vmi_phase("toggle", "Running")
    assert second["metadata"]["uid"] != first["metadata"]["uid"]
    # A freed address is not handed out again right away (next-fit allocation).
    assert vmi_address(second) != vmi_address(first)


def test_deprecated_running_flag(kubevirt: KubeVirt, simulator: SimulatorHandle) -> None:
    kubevirt.create_vm(vm_manifest("legacy", run_strategy=None, running=True, nodes=simulator.node_names))
    kubevirt.wait_vmi_phase("legacy", "Running")
    kubevirt.patch("virtualmachines", "legacy", {"spec": {"running": False}})
    kubevirt.wait_gone("virtualmachineinstances", "legacy")
    kubevirt.wait_vm_status("legacy", "Stopped")


def test_no_strategy_means_halted(kubevirt: KubeVirt, simulator: SimulatorHandle) -> None:
    kubevirt.create_vm(vm_manifest("idle", run_strategy=None, nodes=simulator.node_names))
    vm = kubevirt.wait_vm_status("idle", "Stopped")
    assert vm["status"]["runStrategy"] == "Halted"
    assert kubevirt.vmi("idle") is None


def test_manual_follows_state_change_requests(kubevirt: KubeVirt, simulator: SimulatorHandle) -> None:
    kubevirt.create_vm(vm_manifest("manual", run_strategy="Manual", nodes=simulator.node_names))
    kubevirt.wait_vm_status("manual", "Stopped")
    assert kubevirt.vmi("manual") is None
    kubevirt.patch_status(
        "virtualmachines", "manual", {"status": {"stateChangeRequests": [{"action": "Start"}]}}
    )
    vmi = kubevirt.wait_vmi_phase("manual", "Running")
    wait_for(
        lambda: not (kubevirt.vm("manual") or {}).get("status", {}).get("stateChangeRequests"),
        timeout=10,
        message="the Start request is trimmed once the VMI exists",
    )
    stop = [{"action": "Stop", "uid": vmi["metadata"]["uid"]}]
    kubevirt.patch_status("virtualmachines", "manual", {"status": {"stateChangeRequests": stop}})
    kubevirt.wait_gone("virtualmachineinstances", "manual")
    kubevirt.wait_vm_status("manual", "Stopped")


def test_deleting_the_vm_deletes_its_vmi(kubevirt: KubeVirt, simulator: SimulatorHandle) -> None:
    kubevirt.create_vm(vm_manifest("doomed", nodes=simulator.node_names))
    kubevirt.wait_vmi_phase("doomed", "Running")
    kubevirt.delete("virtualmachines", "doomed")
    kubevirt.wait_gone("virtualmachineinstances", "doomed")
    kubevirt.wait_gone("virtualmachines", "doomed")


def test_stopping_shows_stopping_then_stopped(kubevirt: KubeVirt, simulator: SimulatorHandle) -> None:
    body = vm_manifest("graceful", nodes=simulator.node_names)
    body["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 30
    kubevirt.create_vm(body)
    kubevirt.wait_vm_status("graceful", "Running")
    kubevirt.patch("virtualmachines", "graceful", {"spec": {"runStrategy": "Halted"}})
    seen = kubevirt.wait_vm_status("graceful", "Stopping", timeout=5, interval=0.02)
    assert seen["status"]["printableStatus"] == "Stopping"
    kubevirt.wait_vm_status("graceful", "Stopped")


def test_always_restarts_a_failed_vmi_with_backoff(
    kubevirt: KubeVirt, managed_node: ManagedNodeFactory
) -> None:
    node = managed_node("sim-crashing-node", taint=True, annotations={FAIL_VMIS_ANNOTATION: "true"})
    kubevirt.create_vm(vm_manifest("crashy", nodes=[node], tolerations=[ManagedNodeFactory.toleration(node)]))
    # Each failed VMI is deleted at once; the VM keeps the count and waits out the back-off.
    vm = kubevirt.wait_vm_status("crashy", "CrashLoopBackOff")
    failure = vm["status"]["startFailure"]
    assert failure["consecutiveFailCount"] >= 1
    assert failure["lastFailedVMIUID"]
    assert failure["retryAfterTimestamp"]

    # Lift the fault: the next restart after the back-off runs, and the failure count resets.
    kubevirt.core.patch_node(node, {"metadata": {"annotations": {FAIL_VMIS_ANNOTATION: None}}})
    running = kubevirt.wait_vmi_phase("crashy", "Running", timeout=20)
    assert running["metadata"]["uid"] != failure["lastFailedVMIUID"]
    vm = kubevirt.wait_vm_status("crashy", "Running")
    wait_for(
        lambda: "startFailure" not in ((kubevirt.vm("crashy") or {}).get("status") or {}),
        timeout=10,
        message="startFailure cleared after a successful start",
    )


def test_running_vmi_fails_when_its_node_is_poisoned(
    kubevirt: KubeVirt, managed_node: ManagedNodeFactory
) -> None:
    node = managed_node("sim-doomed-host", taint=True)
    kubevirt.create_vm(
        vm_manifest(
            "victim", run_strategy="Manual", nodes=[node], tolerations=[ManagedNodeFactory.toleration(node)]
        )
    )
    kubevirt.patch_status(
        "virtualmachines", "victim", {"status": {"stateChangeRequests": [{"action": "Start"}]}}
    )
    kubevirt.wait_vmi_phase("victim", "Running")
    kubevirt.core.patch_node(node, {"metadata": {"annotations": {FAIL_VMIS_ANNOTATION: "true"}}})
    failed = kubevirt.wait_vmi_phase("victim", "Failed")
    assert failed["status"]["reason"] == "SimulatedFailure"
    # Manual never restarts on its own: the VM shows Stopped with the failed VMI kept.
    kubevirt.wait_vm_status("victim", "Stopped")
    assert kubevirt.vmi("victim") is not None


def test_rerun_on_failure_restarts_only_failures(
    kubevirt: KubeVirt, managed_node: ManagedNodeFactory
) -> None:
    node = managed_node("sim-rerun-host", taint=True)
    kubevirt.create_vm(
        vm_manifest(
            "rerun",
            run_strategy="RerunOnFailure",
            nodes=[node],
            tolerations=[ManagedNodeFactory.toleration(node)],
        )
    )
    first = kubevirt.wait_vmi_phase("rerun", "Running")
    kubevirt.core.patch_node(node, {"metadata": {"annotations": {FAIL_VMIS_ANNOTATION: "true"}}})

    # A failed VMI is replaced within milliseconds, so look for its successor, not for it.
    def replaced() -> dict[str, Any] | None:
        vm = kubevirt.vm("rerun") or {}
        failures = ((vm.get("status") or {}).get("startFailure") or {}).get("consecutiveFailCount", 0)
        vmi = kubevirt.vmi("rerun")
        restarted = vmi is not None and vmi["metadata"]["uid"] != first["metadata"]["uid"]
        return vm if restarted and failures >= 1 else None

    wait_object(replaced, timeout=15, interval=0.05, message="failed VMI replaced, start failures counted")
    kubevirt.core.patch_node(node, {"metadata": {"annotations": {FAIL_VMIS_ANNOTATION: None}}})

    def running_again() -> dict[str, Any] | None:
        vmi = kubevirt.vmi("rerun")
        fresh = vmi is not None and vmi["metadata"]["uid"] != first["metadata"]["uid"]
        return vmi if fresh and (vmi or {}).get("status", {}).get("phase") == "Running" else None

    # Each further failure before the annotation is gone doubles the back-off (1 s, 2 s, 4 s, ...
    # up to 30 s), and on a loaded machine several can happen: wait past the largest back-off.
    wait_object(running_again, timeout=45, message="a new VMI running after the failures")
