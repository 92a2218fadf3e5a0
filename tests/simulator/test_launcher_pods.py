"""virt-launcher Pods and their logs: one Pod per placed VMI, its ``guest-console-log`` read through
the real API server's ``pods/log`` (proxied to the simulator's kubelet endpoint of the Node)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.simulator import SimulatorHandle
from tests.simulator.kubevirt import KubeVirt, vm_manifest, vmi_address
from tests.simulator.test_subresources import put, vmi_action
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster


def _launcher_pods(kubevirt: KubeVirt, vmi_uid: str) -> list[Any]:
    pods = kubevirt.core.list_namespaced_pod(
        kubevirt.namespace, label_selector=f"kubevirt.io/created-by={vmi_uid}"
    )
    return list(pods.items)


def _logged(name: str, nodes: list[str]) -> dict[str, Any]:
    vm = vm_manifest(name, nodes=nodes)
    vm["spec"]["template"]["spec"]["domain"]["devices"]["logSerialConsole"] = True
    vm["spec"]["template"]["spec"]["hostname"] = f"{name}-host"
    return vm


def test_a_running_vmi_has_a_launcher_pod_whose_console_log_is_served(
    kubevirt: KubeVirt, simulator: SimulatorHandle
) -> None:
    kubevirt.create_vm(_logged("logged", simulator.node_names))
    vmi = kubevirt.wait_vmi_phase("logged", "Running")
    uid = vmi["metadata"]["uid"]
    (pod,) = wait_for(
        lambda: [p for p in _launcher_pods(kubevirt, uid) if p.status.phase == "Running"] or None,
        timeout=15,
        message="a Running launcher pod",
    )
    assert pod.metadata.name.startswith("virt-launcher-logged-")
    assert pod.metadata.labels["kubevirt.io"] == "virt-launcher"
    assert pod.metadata.labels["vm.kubevirt.io/name"] == "logged"
    (owner,) = pod.metadata.owner_references
    assert (owner.kind, owner.name, owner.uid, owner.controller) == (
        "VirtualMachineInstance",
        "logged",
        uid,
        True,
    )
    assert pod.spec.node_name == vmi["status"]["nodeName"]
    assert [c.name for c in pod.spec.containers] == ["compute", "guest-console-log"]

    text = kubevirt.core.read_namespaced_pod_log(
        pod.metadata.name, kubevirt.namespace, container="guest-console-log"
    )
    assert "Set hostname to <logged-host>." in text
    assert vmi_address(vmi) in text
    assert text.endswith("\nlogged-host login: ")  # a prompt: no newline after it
    tail = kubevirt.core.read_namespaced_pod_log(
        pod.metadata.name, kubevirt.namespace, container="guest-console-log", tail_lines=2
    )
    assert tail == "\n".join(text.split("\n")[-2:])

    kubevirt.delete("virtualmachines", "logged")
    kubevirt.wait_gone("virtualmachines", "logged")
    wait_for(lambda: not _launcher_pods(kubevirt, uid), timeout=15, message="the launcher pod gone")


def test_without_log_serial_console_there_is_no_guest_console_log_container(
    kubevirt: KubeVirt, simulator: SimulatorHandle
) -> None:
    kubevirt.create_vm(vm_manifest("quiet", nodes=simulator.node_names))
    vmi = kubevirt.wait_vmi_phase("quiet", "Running")
    (pod,) = wait_for(
        lambda: _launcher_pods(kubevirt, vmi["metadata"]["uid"]) or None, timeout=15, message="a launcher pod"
    )
    assert [c.name for c in pod.spec.containers] == ["compute"]


def test_after_a_simulator_restart_the_pod_is_kept_and_its_log_served_on_the_new_port(
    kubevirt: KubeVirt, simulator: SimulatorHandle
) -> None:
    kubevirt.create_vm(_logged("survivor", simulator.node_names))
    vmi = kubevirt.wait_vmi_phase("survivor", "Running")
    uid = vmi["metadata"]["uid"]
    (pod,) = wait_for(lambda: _launcher_pods(kubevirt, uid) or None, timeout=15, message="a launcher pod")
    node = pod.spec.node_name
    port_before = kubevirt.core.read_node(node).status.daemon_endpoints.kubelet_endpoint.port
    assert simulator.restart() == 0
    wait_for(
        lambda: kubevirt.core.read_node(node).status.daemon_endpoints.kubelet_endpoint.port != port_before,
        timeout=30,
        message="the node reports its new kubelet port",
    )
    (after,) = _launcher_pods(kubevirt, uid)
    assert after.metadata.uid == pod.metadata.uid  # the same pod: the guest kept running
    text = kubevirt.core.read_namespaced_pod_log(
        after.metadata.name, kubevirt.namespace, container="guest-console-log"
    )
    assert text.endswith("survivor-host login: ")


def test_a_soft_reboot_goes_on_in_the_same_console_log(
    kubevirt: KubeVirt, simulator: SimulatorHandle, cluster: Cluster
) -> None:
    kubevirt.create_vm(_logged("rebooter", simulator.node_names))
    uid = kubevirt.wait_vmi_phase("rebooter", "Running")["metadata"]["uid"]
    (pod,) = wait_for(lambda: _launcher_pods(kubevirt, uid) or None, timeout=15, message="a launcher pod")

    def log() -> str:
        return str(
            kubevirt.core.read_namespaced_pod_log(
                pod.metadata.name, kubevirt.namespace, container="guest-console-log"
            )
        )

    assert log().count("rebooter-host login: ") == 1
    assert put(cluster, vmi_action(kubevirt, "rebooter", "softreboot")).returncode == 0
    text = wait_for(
        lambda: log() if "reboot: Restarting system" in log() else None, timeout=15, message="reboot"
    )
    assert text.count("rebooter-host login: ") == 2
    assert text.count("Linux version") == 2
    assert text.endswith("rebooter-host login: ")
