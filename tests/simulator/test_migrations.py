"""Live migration through VirtualMachineInstanceMigration objects."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.simulator import FAIL_VMIS_ANNOTATION, ManagedNodeFactory
from tests.simulator.kubevirt import KubeVirt, condition, vm_manifest, vmi_address, wait_object

pytestmark = pytest.mark.cluster


def migration(name: str, vmi: str) -> dict[str, Any]:
    return {
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachineInstanceMigration",
        "metadata": {"name": name},
        "spec": {"vmiName": vmi},
    }


def wait_migration_phase(kubevirt: KubeVirt, name: str, phase: str, timeout: float = 20) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        found = kubevirt.get("virtualmachineinstancemigrations", name)
        return found if ((found or {}).get("status") or {}).get("phase") == phase else None

    return wait_object(check, timeout=timeout, message=f"migration {name} {phase}")


def two_nodes(
    kubevirt: KubeVirt, managed_node: ManagedNodeFactory, tag: str
) -> tuple[list[str], list[dict[str, str]]]:
    nodes = [managed_node(f"sim-{tag}-{i}-{kubevirt.namespace}", taint=True) for i in range(2)]
    return nodes, [ManagedNodeFactory.toleration(n) for n in nodes]


def test_migration_moves_the_vmi_and_keeps_its_address(
    kubevirt: KubeVirt, managed_node: ManagedNodeFactory
) -> None:
    nodes, tolerations = two_nodes(kubevirt, managed_node, "mig")
    kubevirt.create_vm(vm_manifest("mover", nodes=nodes, tolerations=tolerations))
    before = kubevirt.wait_vmi_phase("mover", "Running")
    source = before["status"]["nodeName"]
    (target,) = [n for n in nodes if n != source]

    kubevirt.create("virtualmachineinstancemigrations", migration("mig-1", "mover"))
    kubevirt.wait_vm_status("mover", "Migrating", interval=0.02)
    done = wait_migration_phase(kubevirt, "mig-1", "Succeeded")
    phases = [t["phase"] for t in done["status"]["phaseTransitionTimestamps"]]
    assert phases == [
        "Pending",
        "Scheduling",
        "Scheduled",
        "PreparingTarget",
        "TargetReady",
        "Running",
        "Succeeded",
    ]

    after = kubevirt.vmi("mover")
    assert after is not None
    assert after["metadata"]["uid"] == before["metadata"]["uid"]
    assert after["status"]["nodeName"] == target
    assert after["metadata"]["labels"]["kubevirt.io/nodeName"] == target
    assert vmi_address(after) == vmi_address(before)
    state = after["status"]["migrationState"]
    assert state["migrationUid"] == done["metadata"]["uid"]
    assert state["sourceNode"] == source
    assert state["targetNode"] == target
    assert state["completed"] is True
    assert state["startTimestamp"]
    assert state["endTimestamp"]
    assert done["status"]["migrationState"]["targetNode"] == target
    kubevirt.wait_vm_status("mover", "Running")

    # And back again: a second migration replaces the state of the first one.
    kubevirt.create("virtualmachineinstancemigrations", migration("mig-2", "mover"))
    wait_migration_phase(kubevirt, "mig-2", "Succeeded")
    back = kubevirt.vmi("mover")
    assert back is not None
    assert back["status"]["nodeName"] == source
    assert back["status"]["migrationState"]["sourceNode"] == target
    assert "failureReason" not in back["status"]["migrationState"]


def test_migration_without_a_target_fails(kubevirt: KubeVirt, managed_node: ManagedNodeFactory) -> None:
    node = managed_node(f"sim-lonely-{kubevirt.namespace}", taint=True)
    kubevirt.create_vm(vm_manifest("stuck", nodes=[node], tolerations=[ManagedNodeFactory.toleration(node)]))
    kubevirt.wait_vmi_phase("stuck", "Running")
    kubevirt.create("virtualmachineinstancemigrations", migration("nowhere", "stuck"))
    failed = wait_migration_phase(kubevirt, "nowhere", "Failed")
    assert "no node can host the migration target" in condition(failed, "Failed")["message"]
    vmi = kubevirt.vmi("stuck")
    assert vmi is not None
    assert vmi["status"]["nodeName"] == node
    assert vmi["status"]["phase"] == "Running"
    # The target pod never got a node, so the VMI itself never started migrating.
    assert "migrationState" not in vmi["status"]
    kubevirt.wait_vm_status("stuck", "Running")


def test_migrating_a_stopped_vm_fails(kubevirt: KubeVirt) -> None:
    kubevirt.create("virtualmachineinstancemigrations", migration("ghost", "does-not-exist"))
    failed = wait_migration_phase(kubevirt, "ghost", "Failed")
    assert "does not exist" in condition(failed, "Failed")["message"]


def test_non_migratable_vmi_is_refused(kubevirt: KubeVirt, managed_node: ManagedNodeFactory) -> None:
    nodes, tolerations = two_nodes(kubevirt, managed_node, "bridge")
    kubevirt.create_vm(vm_manifest("bridged", nodes=nodes, tolerations=tolerations, binding="bridge"))
    vmi = kubevirt.wait_vmi_phase("bridged", "Running")
    assert condition(vmi, "LiveMigratable")["status"] == "False"
    kubevirt.create("virtualmachineinstancemigrations", migration("refused", "bridged"))
    failed = wait_migration_phase(kubevirt, "refused", "Failed")
    assert "not live migratable" in condition(failed, "Failed")["message"]


def test_target_node_failure_fails_the_migration(
    kubevirt: KubeVirt, managed_node: ManagedNodeFactory
) -> None:
    nodes, tolerations = two_nodes(kubevirt, managed_node, "tgtfail")
    kubevirt.create_vm(vm_manifest("brave", nodes=nodes, tolerations=tolerations))
    before = kubevirt.wait_vmi_phase("brave", "Running")
    source = before["status"]["nodeName"]
    (target,) = [n for n in nodes if n != source]
    # The poisoned node is still a valid placement (only its VMIs fail), so it becomes the target
    # and the migration fails as soon as the target "pod" comes up there.
    kubevirt.core.patch_node(target, {"metadata": {"annotations": {FAIL_VMIS_ANNOTATION: "true"}}})
    kubevirt.create("virtualmachineinstancemigrations", migration("doomed", "brave"))
    failed = wait_migration_phase(kubevirt, "doomed", "Failed")
    assert "Scheduled" in [t["phase"] for t in failed["status"]["phaseTransitionTimestamps"]]
    assert failed["status"]["migrationState"]["failed"] is True
    assert f"target node {target} failed" in condition(failed, "Failed")["message"]
    vmi = kubevirt.vmi("brave")
    assert vmi is not None
    assert vmi["status"]["phase"] == "Running"
    assert vmi["status"]["nodeName"] == source


def test_deleting_an_in_flight_migration_aborts_it(
    kubevirt: KubeVirt, managed_node: ManagedNodeFactory
) -> None:
    nodes, tolerations = two_nodes(kubevirt, managed_node, "abort")
    kubevirt.create_vm(vm_manifest("fickle", nodes=nodes, tolerations=tolerations))
    source = kubevirt.wait_vmi_phase("fickle", "Running")["status"]["nodeName"]
    kubevirt.create("virtualmachineinstancemigrations", migration("changed-mind", "fickle"))

    def under_way() -> dict[str, Any] | None:
        found = kubevirt.get("virtualmachineinstancemigrations", "changed-mind") or {}
        return found if (found.get("status") or {}).get("phase") in ("TargetReady", "Running") else None

    started = wait_object(under_way, timeout=10, interval=0.02, message="migration under way")
    kubevirt.delete("virtualmachineinstancemigrations", "changed-mind")

    def aborted() -> dict[str, Any] | None:
        vmi = kubevirt.vmi("fickle") or {}
        state = (vmi.get("status") or {}).get("migrationState") or {}
        return vmi if state.get("abortStatus") == "Succeeded" else None

    vmi = wait_object(aborted, timeout=10, message="migration aborted on the VMI")
    state = vmi["status"]["migrationState"]
    assert state["migrationUid"] == started["metadata"]["uid"]
    assert state["failed"] is True
    assert state["endTimestamp"]
    assert vmi["status"]["nodeName"] == source
    assert vmi["status"]["phase"] == "Running"
    kubevirt.wait_vm_status("fickle", "Running")
