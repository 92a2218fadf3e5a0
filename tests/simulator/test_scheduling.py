"""virt-handler placement: selectors, Ready Nodes, capacity, and ErrorUnschedulable."""

from __future__ import annotations

import pytest

from tests.fixtures.simulator import READY_ANNOTATION, ManagedNodeFactory
from tests.simulator.kubevirt import KubeVirt, condition, find_condition, vm_manifest
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster


def test_unmatched_selector_is_unschedulable_until_a_node_matches(
    kubevirt: KubeVirt, managed_node: ManagedNodeFactory
) -> None:
    selector = {"sim-test/pool": f"gpu-{kubevirt.namespace}"}
    node_name = f"sim-gpu-{kubevirt.namespace}"
    kubevirt.create_vm(
        vm_manifest("picky", node_selector=selector, tolerations=[ManagedNodeFactory.toleration(node_name)])
    )
    vm = kubevirt.wait_vm_status("picky", "ErrorUnschedulable")
    scheduled = condition(vm, "PodScheduled")
    assert scheduled["status"] == "False"
    assert scheduled["reason"] == "Unschedulable"
    assert "didn't match Pod's node affinity/selector" in scheduled["message"]
    vmi = kubevirt.vmi("picky")
    assert vmi is not None
    assert vmi["status"]["phase"] == "Scheduling"
    assert "nodeName" not in vmi["status"]

    managed_node(node_name, labels=selector, taint=True)
    running = kubevirt.wait_vmi_phase("picky", "Running", timeout=20)
    assert running["status"]["nodeName"] == node_name
    vm = kubevirt.wait_vm_status("picky", "Running")
    assert find_condition(vm, "PodScheduled") is None


def test_memory_capacity_is_respected(kubevirt: KubeVirt, managed_node: ManagedNodeFactory) -> None:
    node = managed_node(f"sim-small-{kubevirt.namespace}", cpu="4", memory="4Gi", taint=True)
    tolerations = [ManagedNodeFactory.toleration(node)]
    kubevirt.create_vm(vm_manifest("first", memory="3Gi", nodes=[node], tolerations=tolerations))
    kubevirt.wait_vmi_phase("first", "Running")
    kubevirt.create_vm(vm_manifest("second", memory="2Gi", nodes=[node], tolerations=tolerations))
    vm = kubevirt.wait_vm_status("second", "ErrorUnschedulable")
    message = condition(vm, "PodScheduled")["message"]
    assert "Insufficient memory" in message

    kubevirt.patch("virtualmachines", "first", {"spec": {"runStrategy": "Halted"}})
    kubevirt.wait_vmi_phase("second", "Running", timeout=20)


def test_exactly_fitting_flavor_fits(kubevirt: KubeVirt, managed_node: ManagedNodeFactory) -> None:
    node = managed_node(f"sim-exact-{kubevirt.namespace}", cpu="2", memory="2Gi", taint=True)
    body = vm_manifest(
        "exact", memory="2Gi", cores=2, nodes=[node], tolerations=[ManagedNodeFactory.toleration(node)]
    )
    kubevirt.create_vm(body)
    assert kubevirt.wait_vmi_phase("exact", "Running")["status"]["nodeName"] == node


def test_not_ready_nodes_get_no_vmis(kubevirt: KubeVirt, managed_node: ManagedNodeFactory) -> None:
    node = managed_node(
        f"sim-down-{kubevirt.namespace}",
        taint=True,
        annotations={READY_ANNOTATION: "false"},
        wait_ready=False,
    )
    kubevirt.create_vm(
        vm_manifest("waiting", nodes=[node], tolerations=[ManagedNodeFactory.toleration(node)])
    )
    vm = kubevirt.wait_vm_status("waiting", "ErrorUnschedulable")
    assert "node.kubernetes.io/not-ready" in condition(vm, "PodScheduled")["message"]
    kubevirt.core.patch_node(node, {"metadata": {"annotations": {READY_ANNOTATION: None}}})
    kubevirt.wait_vmi_phase("waiting", "Running", timeout=20)


def test_vms_spread_over_the_least_loaded_nodes(kubevirt: KubeVirt, managed_node: ManagedNodeFactory) -> None:
    nodes = [managed_node(f"sim-spread-{i}-{kubevirt.namespace}", taint=True) for i in range(2)]
    tolerations = [ManagedNodeFactory.toleration(n) for n in nodes]
    for i in range(4):
        kubevirt.create_vm(vm_manifest(f"spread-{i}", nodes=nodes, tolerations=tolerations))
    placed = [kubevirt.wait_vmi_phase(f"spread-{i}", "Running")["status"]["nodeName"] for i in range(4)]
    assert sorted(placed) == sorted(nodes * 2)


def test_cordoned_node_is_skipped(kubevirt: KubeVirt, managed_node: ManagedNodeFactory) -> None:
    node = managed_node(f"sim-cordoned-{kubevirt.namespace}", taint=True)
    kubevirt.core.patch_node(node, {"spec": {"unschedulable": True}})
    kubevirt.create_vm(
        vm_manifest("blocked", nodes=[node], tolerations=[ManagedNodeFactory.toleration(node)])
    )
    vm = kubevirt.wait_vm_status("blocked", "ErrorUnschedulable")
    assert "were unschedulable" in condition(vm, "PodScheduled")["message"]
    kubevirt.core.patch_node(node, {"spec": {"unschedulable": False}})
    wait_for(
        lambda: (kubevirt.vmi("blocked") or {}).get("status", {}).get("phase") == "Running",
        timeout=20,
        message="VMI runs once the node is uncordoned",
    )
