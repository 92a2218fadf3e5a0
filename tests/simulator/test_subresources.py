"""The subresources.kubevirt.io API through the real API server's aggregation layer."""

from __future__ import annotations

import json
import secrets
import subprocess
from typing import Any

import pytest
from kubernetes import client

from tests.fixtures.simulator import ManagedNodeFactory, SimulatorHandle
from tests.simulator.kubevirt import KubeVirt, condition, find_condition, vm_manifest, wait_object
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

GROUP_VERSION = "subresources.kubevirt.io/v1"
SOFT_REBOOT_FAIL = "kubevirt-simulator.kubenova.io/soft-reboot"
PAUSE_FAIL = "kubevirt-simulator.kubenova.io/pause"


def unique_node(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


def put(
    cluster: Cluster, path: str, body: dict[str, Any] | None = None, kubeconfig: str | None = None
) -> subprocess.CompletedProcess[str]:
    args = ["replace", "--raw", path, "-f", "-"]
    if kubeconfig:
        args = ["--kubeconfig", kubeconfig, *args]
    return cluster.run_kubectl(*args, stdin=json.dumps(body or {}), check=False)


def vm_action(kubevirt: KubeVirt, name: str, action: str) -> str:
    return f"/apis/{GROUP_VERSION}/namespaces/{kubevirt.namespace}/virtualmachines/{name}/{action}"


def vmi_action(kubevirt: KubeVirt, name: str, action: str) -> str:
    return f"/apis/{GROUP_VERSION}/namespaces/{kubevirt.namespace}/virtualmachineinstances/{name}/{action}"


def test_discovery_lists_the_subresources(cluster: Cluster, simulator: SimulatorHandle) -> None:
    listing = json.loads(cluster.run_kubectl("get", "--raw", f"/apis/{GROUP_VERSION}").stdout)
    names = {r["name"] for r in listing["resources"]}
    assert {
        "virtualmachines/start",
        "virtualmachines/stop",
        "virtualmachines/restart",
        "virtualmachines/migrate",
        "virtualmachineinstances/pause",
        "virtualmachineinstances/unpause",
        "virtualmachineinstances/softreboot",
    } <= names
    with cluster.connected() as api:
        service = client.ApiregistrationV1Api(api).read_api_service("v1.subresources.kubevirt.io")
    assert service.status is not None
    assert any(c.type == "Available" and c.status == "True" for c in service.status.conditions or [])


def test_restart_replaces_the_vmi(kubevirt: KubeVirt, cluster: Cluster, simulator: SimulatorHandle) -> None:
    kubevirt.create_vm(vm_manifest("reboot-me", nodes=simulator.node_names))
    first = kubevirt.wait_vmi_phase("reboot-me", "Running")
    result = put(cluster, vm_action(kubevirt, "reboot-me", "restart"))
    assert result.returncode == 0, result.stderr

    def restarted() -> dict[str, Any] | None:
        vmi = kubevirt.vmi("reboot-me") or {}
        fresh = (vmi.get("metadata") or {}).get("uid") not in (None, first["metadata"]["uid"])
        return vmi if fresh and (vmi.get("status") or {}).get("phase") == "Running" else None

    wait_object(restarted, timeout=15, message="a new VMI running after restart")
    wait_for(
        lambda: not ((kubevirt.vm("reboot-me") or {}).get("status") or {}).get("stateChangeRequests"),
        timeout=10,
        message="restart requests consumed",
    )


def test_stop_and_start_flip_the_run_strategy(
    kubevirt: KubeVirt, cluster: Cluster, simulator: SimulatorHandle
) -> None:
    kubevirt.create_vm(vm_manifest("flip", nodes=simulator.node_names))
    kubevirt.wait_vmi_phase("flip", "Running")
    again = put(cluster, vm_action(kubevirt, "flip", "start"))
    assert again.returncode != 0
    assert "VM is already running" in again.stderr

    assert put(cluster, vm_action(kubevirt, "flip", "stop")).returncode == 0
    assert (kubevirt.vm("flip") or {})["spec"]["runStrategy"] == "Halted"
    kubevirt.wait_gone("virtualmachineinstances", "flip")
    assert put(cluster, vm_action(kubevirt, "flip", "start")).returncode == 0
    assert (kubevirt.vm("flip") or {})["spec"]["runStrategy"] == "Always"
    kubevirt.wait_vmi_phase("flip", "Running")


def test_manual_start_and_stop_go_through_state_change_requests(
    kubevirt: KubeVirt, cluster: Cluster, simulator: SimulatorHandle
) -> None:
    kubevirt.create_vm(vm_manifest("by-hand", run_strategy="Manual", nodes=simulator.node_names))
    kubevirt.wait_vm_status("by-hand", "Stopped")
    stopped = put(cluster, vm_action(kubevirt, "by-hand", "stop"))
    assert "VM is not running" in stopped.stderr
    assert put(cluster, vm_action(kubevirt, "by-hand", "start")).returncode == 0
    kubevirt.wait_vmi_phase("by-hand", "Running")
    assert (kubevirt.vm("by-hand") or {})["spec"]["runStrategy"] == "Manual"
    assert put(cluster, vm_action(kubevirt, "by-hand", "stop")).returncode == 0
    kubevirt.wait_gone("virtualmachineinstances", "by-hand")


def test_pause_and_unpause(kubevirt: KubeVirt, cluster: Cluster, simulator: SimulatorHandle) -> None:
    kubevirt.create_vm(vm_manifest("nap", nodes=simulator.node_names))
    kubevirt.wait_vmi_phase("nap", "Running")
    assert put(cluster, vmi_action(kubevirt, "nap", "pause")).returncode == 0
    vm = kubevirt.wait_vm_status("nap", "Paused")
    assert condition(vm, "Paused")["reason"] == "PausedByUser"
    assert "already paused" in put(cluster, vmi_action(kubevirt, "nap", "pause")).stderr
    assert put(cluster, vmi_action(kubevirt, "nap", "unpause")).returncode == 0
    vm = kubevirt.wait_vm_status("nap", "Running")
    vmi = kubevirt.vmi("nap") or {}
    assert find_condition(vmi, "Paused") is None


def soft_reboot_events(kubevirt: KubeVirt, uid: str) -> list[Any]:
    events = kubevirt.core.list_namespaced_event(
        kubevirt.namespace, field_selector=f"involvedObject.uid={uid}"
    )
    return [e for e in events.items if e.reason == "SoftRebooted"]


def test_soft_reboot_restarts_the_guest_in_the_same_vmi(
    kubevirt: KubeVirt, cluster: Cluster, simulator: SimulatorHandle
) -> None:
    kubevirt.create_vm(vm_manifest("warm", nodes=simulator.node_names))
    uid = kubevirt.wait_vmi_phase("warm", "Running")["metadata"]["uid"]
    assert put(cluster, vmi_action(kubevirt, "warm", "softreboot")).returncode == 0
    (event,) = wait_for(lambda: soft_reboot_events(kubevirt, uid), timeout=10, message="SoftRebooted")
    assert event.source.component == "virt-handler"
    vmi = kubevirt.vmi("warm") or {}
    assert vmi["metadata"]["uid"] == uid  # the guest restarted inside the same instance
    assert vmi["status"]["phase"] == "Running"
    # KubeVirt refuses a soft reboot of a paused VMI.
    assert put(cluster, vmi_action(kubevirt, "warm", "pause")).returncode == 0
    kubevirt.wait_vm_status("warm", "Paused")
    assert "VMI is paused" in put(cluster, vmi_action(kubevirt, "warm", "softreboot")).stderr


def test_soft_reboot_fails_for_a_guest_without_agent_nor_acpi(
    kubevirt: KubeVirt, cluster: Cluster, managed_node: ManagedNodeFactory
) -> None:
    node = managed_node(unique_node("noacpi"), annotations={SOFT_REBOOT_FAIL: "fail"}, taint=True)
    kubevirt.create_vm(vm_manifest("cold", nodes=[node], tolerations=[ManagedNodeFactory.toleration(node)]))
    uid = kubevirt.wait_vmi_phase("cold", "Running")["metadata"]["uid"]
    result = put(cluster, vmi_action(kubevirt, "cold", "softreboot"))
    assert result.returncode != 0
    assert "neither have the agent connected nor the ACPI feature enabled" in result.stderr
    assert soft_reboot_events(kubevirt, uid) == []


def test_pause_fails_where_the_domain_cannot_be_suspended(
    kubevirt: KubeVirt, cluster: Cluster, managed_node: ManagedNodeFactory
) -> None:
    node = managed_node(unique_node("nopause"), annotations={PAUSE_FAIL: "fail"}, taint=True)
    kubevirt.create_vm(vm_manifest("stiff", nodes=[node], tolerations=[ManagedNodeFactory.toleration(node)]))
    kubevirt.wait_vmi_phase("stiff", "Running")
    result = put(cluster, vmi_action(kubevirt, "stiff", "pause"))
    assert result.returncode != 0
    assert "Failed to pause VMI" in result.stderr
    assert find_condition(kubevirt.vmi("stiff") or {}, "Paused") is None


def test_migrate_creates_a_migration(
    kubevirt: KubeVirt, cluster: Cluster, simulator: SimulatorHandle
) -> None:
    kubevirt.create_vm(vm_manifest("wander", nodes=simulator.node_names))
    source = kubevirt.wait_vmi_phase("wander", "Running")["status"]["nodeName"]
    assert put(cluster, vm_action(kubevirt, "wander", "migrate")).returncode == 0
    moved = wait_object(
        lambda: (
            v
            if (v := kubevirt.vmi("wander"))
            and ((v.get("status") or {}).get("migrationState") or {}).get("completed")
            else None
        ),
        timeout=20,
        message="migration completed",
    )
    assert moved["status"]["nodeName"] != source
    migrations = kubevirt.custom.list_namespaced_custom_object(
        "kubevirt.io", "v1", kubevirt.namespace, "virtualmachineinstancemigrations"
    )
    (migration,) = migrations["items"]  # type: ignore[index]
    assert migration["metadata"]["name"].startswith("kubevirt-migrate-vm-")


def test_rbac_is_enforced(kubevirt: KubeVirt, cluster: Cluster, simulator: SimulatorHandle) -> None:
    kubevirt.create_vm(vm_manifest("guarded", nodes=simulator.node_names))
    kubevirt.wait_vmi_phase("guarded", "Running")
    identity = cluster.issue_client_cert("sim-tester")
    denied = put(cluster, vm_action(kubevirt, "guarded", "restart"), kubeconfig=str(identity.kubeconfig))
    assert denied.returncode != 0
    assert 'cannot update resource "virtualmachines/restart"' in denied.stderr

    with cluster.connected() as api:
        rbac = client.RbacAuthorizationV1Api(api)
        rbac.create_namespaced_role(
            kubevirt.namespace,
            {  # type: ignore[arg-type]
                "metadata": {"name": "restarter"},
                "rules": [
                    {
                        "apiGroups": ["subresources.kubevirt.io"],
                        "resources": ["virtualmachines/restart"],
                        "verbs": ["update"],
                    }
                ],
            },
        )
        rbac.create_namespaced_role_binding(
            kubevirt.namespace,
            {  # type: ignore[arg-type]
                "metadata": {"name": "restarter"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "restarter"},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "sim-tester"}],
            },
        )
    wait_for(
        lambda: (
            put(
                cluster, vm_action(kubevirt, "guarded", "restart"), kubeconfig=str(identity.kubeconfig)
            ).returncode
            == 0
        ),
        timeout=10,
        message="restart allowed once RBAC grants it",
    )
