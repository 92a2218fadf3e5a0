"""The simulator's CRDs and fake Nodes, observed on the real API server."""

from __future__ import annotations

import time

import pytest
from kubernetes import client

from tests.fixtures.simulator import (
    FAIL_VMIS_ANNOTATION,
    MANAGED_LABEL,
    READY_ANNOTATION,
    ManagedNodeFactory,
    SimulatorHandle,
    node_ready,
)
from tests.simulator.kubevirt import KubeVirt, vm_manifest
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
        crd = client.ApiextensionsV1Api(api).read_custom_resource_definition(f"{plural}.kubevirt.io")
    assert crd.spec.group == "kubevirt.io"
    assert crd.spec.scope == "Namespaced"
    assert crd.spec.names.kind == kind
    assert crd.spec.names.plural == plural
    assert crd.spec.names.singular == kind.lower()
    assert crd.spec.names.short_names == short_names
    (version,) = crd.spec.versions
    assert version.name == "v1"
    assert version.served
    assert version.storage
    assert version.subresources.status is not None
    assert version.var_schema.open_apiv3_schema.x_kubernetes_preserve_unknown_fields is True
    assert any(c.type == "Established" and c.status == "True" for c in crd.status.conditions)


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
            node = core.read_node(name)
            labels = node.metadata.labels
            assert labels[MANAGED_LABEL] == "true"
            assert labels["kubernetes.io/hostname"] == name
            assert labels["kubernetes.io/os"] == "linux"
            assert labels["kubevirt.io/schedulable"] == "true"
            assert node.status.capacity == {
                "cpu": "16",
                "memory": "64Gi",
                "ephemeral-storage": "200Gi",
                "pods": "110",
            }
            assert node.status.allocatable == node.status.capacity
            assert node_ready(node)
            assert {a.type for a in node.status.addresses} == {"InternalIP", "Hostname"}
            assert not [t for t in node.spec.taints or [] if t.key == NOT_READY_TAINT]
        lease = client.CoordinationV1Api(api).read_namespaced_lease(
            simulator.node_names[0], "kube-node-lease"
        )
        assert lease.spec.holder_identity == simulator.node_names[0]


def test_heartbeat_advances(cluster: Cluster, simulator: SimulatorHandle) -> None:
    name = simulator.node_names[0]
    with cluster.connected() as api:
        core = client.CoreV1Api(api)

        def heartbeat() -> float:
            node = core.read_node(name)
            ready = next(c for c in node.status.conditions if c.type == "Ready")
            stamp: float = ready.last_heartbeat_time.timestamp()
            return stamp

        first = heartbeat()
        assert time.time() - first < 15
        wait_for(lambda: heartbeat() > first, timeout=15, interval=0.5, message="a newer node heartbeat")


def test_node_created_by_a_test_is_adopted_with_its_capacity(
    cluster: Cluster, managed_node: ManagedNodeFactory
) -> None:
    name = managed_node("sim-adopted-node", cpu="3", memory="5Gi", labels={"rack": "r1"})
    with cluster.connected() as api:
        node = client.CoreV1Api(api).read_node(name)
    assert node.status.capacity["cpu"] == "3"
    assert node.status.capacity["memory"] == "5Gi"
    assert node.metadata.labels["rack"] == "r1"
    assert node.metadata.labels["kubernetes.io/hostname"] == name
    assert node.metadata.labels["kubevirt.io/schedulable"] == "true"
    assert not [t for t in node.spec.taints or [] if t.key == NOT_READY_TAINT]


def test_ready_annotation_toggles_readiness_and_taint(
    cluster: Cluster, managed_node: ManagedNodeFactory
) -> None:
    name = managed_node("sim-flaky-node", taint=True)
    with cluster.connected() as api:
        core = client.CoreV1Api(api)
        core.patch_node(name, {"metadata": {"annotations": {READY_ANNOTATION: "false"}}})

        def not_ready() -> bool:
            node = core.read_node(name)
            tainted = any(t.key == NOT_READY_TAINT for t in node.spec.taints or [])
            return not node_ready(node) and tainted

        wait_for(not_ready, timeout=10, message="node NotReady and tainted not-ready")
        ready = next(c for c in core.read_node(name).status.conditions if c.type == "Ready")
        assert ready.status == "False"
        assert ready.reason == "KubeletNotReady"
        assert "kubevirt-simulator" in ready.message
        core.patch_node(name, {"metadata": {"annotations": {READY_ANNOTATION: None}}})

        def ready_again() -> bool:
            node = core.read_node(name)
            return node_ready(node) and not any(t.key == NOT_READY_TAINT for t in node.spec.taints or [])

        wait_for(ready_again, timeout=10, message="node Ready again, taint lifted")


def test_unmanaged_nodes_are_never_touched(cluster: Cluster, simulator: SimulatorHandle) -> None:
    name = "sim-unmanaged-node"
    with cluster.connected() as api:
        core = client.CoreV1Api(api)
        core.create_node(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": name,
                    "labels": {"team": "other"},
                    "annotations": {FAIL_VMIS_ANNOTATION: "true"},
                },
            }
        )
        try:
            created = core.read_node(name)
            time.sleep(2)  # several reconcile rounds of the simulator
            node = core.read_node(name)
            assert node.metadata.resource_version == created.metadata.resource_version
            assert node.metadata.labels == {"team": "other"}
            assert node.status is None or not node.status.conditions
        finally:
            core.delete_node(name)
