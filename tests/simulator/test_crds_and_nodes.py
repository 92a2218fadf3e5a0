"""The simulator's CRDs and fake Nodes, observed on the real API server."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from kubernetes import client

from tests.fixtures.simulator import (
    FAIL_VMIS_ANNOTATION,
    MANAGED_LABEL,
    READY_ANNOTATION,
    ManagedNodeFactory,
    SimulatorHandle,
)
from tests.simulator.kubevirt import KubeVirt, as_json, condition, has_taint, node_json, vm_manifest
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

NOT_READY_TAINT = "node.kubernetes.io/not-ready"


@pytest.mark.parametrize(
    ("plural", "kind", "short_names"),
    [
        ("virtualmachines", "VirtualMachine", ["vm", "vms"]),
        ("virtualmachineinstances", "VirtualMachineInstance", ["vmi", "vmis"]),
        ("virtualmachineinstancemigrations", "VirtualMachineInstanceMigration", ["vmim"]),
    ],
)
def test_crds_are_kubevirts(
    cluster: Cluster, simulator: SimulatorHandle, plural: str, kind: str, short_names: list[str]
) -> None:
    with cluster.connected() as api:
        extensions = client.ApiextensionsV1Api(api)
        crd = as_json(api, extensions.read_custom_resource_definition(f"{plural}.kubevirt.io"))
    spec = crd["spec"]
    assert spec["group"] == "kubevirt.io"
    assert spec["scope"] == "Namespaced"
    assert spec["names"]["kind"] == kind
    assert spec["names"]["plural"] == plural
    assert spec["names"]["singular"] == kind.lower()
    assert spec["names"]["shortNames"] == short_names
    (version,) = spec["versions"]
    assert version["name"] == "v1"
    assert version["served"]
    assert version["storage"]
    assert version["subresources"] == {"status": {}}
    assert version["schema"]["openAPIV3Schema"]["x-kubernetes-preserve-unknown-fields"] is True
    assert condition(crd, "Established")["status"] == "True"


def test_printer_columns_match_kubevirt(
    kubevirt: KubeVirt, cluster: Cluster, simulator: SimulatorHandle
) -> None:
    kubevirt.create_vm(vm_manifest("cols", nodes=simulator.node_names))
    vmi = kubevirt.wait_vmi_phase("cols", "Running")
    vm_table = cluster.run_kubectl("get", "vm", "cols", "-n", kubevirt.namespace).stdout.splitlines()
    assert vm_table[0].split() == ["NAME", "AGE", "STATUS", "READY"]
    assert vm_table[1].split()[2:] == ["Running", "True"]
    vmi_table = cluster.run_kubectl("get", "vmis", "cols", "-n", kubevirt.namespace).stdout.splitlines()
    assert vmi_table[0].split() == ["NAME", "AGE", "PHASE", "IP", "NODENAME", "READY"]
    assert vmi_table[1].split()[2:] == [
        "Running",
        vmi["status"]["interfaces"][0]["ipAddress"],
        vmi["status"]["nodeName"],
        "True",
    ]


def test_registered_nodes_are_ready_schedulable_and_labelled(
    cluster: Cluster, simulator: SimulatorHandle
) -> None:
    with cluster.connected() as api:
        core = client.CoreV1Api(api)
        for name in simulator.node_names:
            node = node_json(core, name)
            labels = node["metadata"]["labels"]
            assert labels[MANAGED_LABEL] == "true"
            assert labels["kubernetes.io/hostname"] == name
            assert labels["kubernetes.io/os"] == "linux"
            assert labels["kubevirt.io/schedulable"] == "true"
            status = node["status"]
            assert status["capacity"] == {
                "cpu": "16",
                "memory": "64Gi",
                "ephemeral-storage": "200Gi",
                "pods": "110",
            }
            assert status["allocatable"] == status["capacity"]
            assert condition(node, "Ready")["status"] == "True"
            assert {a["type"] for a in status["addresses"]} == {"InternalIP", "Hostname"}
            assert not has_taint(node, NOT_READY_TAINT)
        lease = client.CoordinationV1Api(api).read_namespaced_lease(
            simulator.node_names[0], "kube-node-lease"
        )
        assert lease.spec is not None
        assert lease.spec.holder_identity == simulator.node_names[0]


def test_heartbeat_advances(cluster: Cluster, simulator: SimulatorHandle) -> None:
    name = simulator.node_names[0]
    with cluster.connected() as api:
        core = client.CoreV1Api(api)

        def heartbeat() -> datetime:
            return datetime.fromisoformat(condition(node_json(core, name), "Ready")["lastHeartbeatTime"])

        first = heartbeat()
        assert (datetime.now(UTC) - first).total_seconds() < 15
        wait_for(lambda: heartbeat() > first, timeout=15, interval=0.5, message="a newer node heartbeat")


def test_node_created_by_a_test_is_adopted_with_its_capacity(
    cluster: Cluster, managed_node: ManagedNodeFactory
) -> None:
    name = managed_node("sim-adopted-node", cpu="3", memory="5Gi", labels={"rack": "r1"})
    with cluster.connected() as api:
        node = node_json(client.CoreV1Api(api), name)
    assert node["status"]["capacity"]["cpu"] == "3"
    assert node["status"]["capacity"]["memory"] == "5Gi"
    labels = node["metadata"]["labels"]
    assert labels["rack"] == "r1"
    assert labels["kubernetes.io/hostname"] == name
    assert labels["kubevirt.io/schedulable"] == "true"
    assert not has_taint(node, NOT_READY_TAINT)


def test_ready_annotation_toggles_readiness_and_taint(
    cluster: Cluster, managed_node: ManagedNodeFactory
) -> None:
    name = managed_node("sim-flaky-node", taint=True)
    with cluster.connected() as api:
        core = client.CoreV1Api(api)
        core.patch_node(name, {"metadata": {"annotations": {READY_ANNOTATION: "false"}}})

        def not_ready() -> bool:
            node = node_json(core, name)
            return condition(node, "Ready")["status"] == "False" and has_taint(node, NOT_READY_TAINT)

        wait_for(not_ready, timeout=10, message="node NotReady and tainted not-ready")
        ready = condition(node_json(core, name), "Ready")
        assert ready["reason"] == "KubeletNotReady"
        assert "kubevirt-simulator" in ready["message"]
        core.patch_node(name, {"metadata": {"annotations": {READY_ANNOTATION: None}}})

        def ready_again() -> bool:
            node = node_json(core, name)
            return condition(node, "Ready")["status"] == "True" and not has_taint(node, NOT_READY_TAINT)

        wait_for(ready_again, timeout=10, message="node Ready again, taint lifted")


def test_unmanaged_nodes_are_never_touched(cluster: Cluster, simulator: SimulatorHandle) -> None:
    name = "sim-unmanaged-node"
    body = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {"team": "other"},
            "annotations": {FAIL_VMIS_ANNOTATION: "true"},
        },
    }
    with cluster.connected() as api:
        core = client.CoreV1Api(api)
        core.create_node(cast(Any, body))
        try:
            created = node_json(core, name)
            time.sleep(2)  # several reconcile rounds of the simulator
            node = node_json(core, name)
            assert node["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
            assert node["metadata"]["labels"] == {"team": "other"}
            assert not (node.get("status") or {}).get("conditions")
        finally:
            core.delete_node(name)
