"""Choosing a live migration's target the KubeVirt way: a change of the VM template's
``nodeSelector`` is copied to the running VMI (LiveUpdate) without moving it, and a VMIM's
``addedNodeSelector`` restricts the target further but cannot override the VMI's own selector."""

from __future__ import annotations

import pytest

from tests.fixtures.simulator import ManagedNodeFactory
from tests.simulator.kubevirt import KubeVirt, vm_manifest, wait_object
from tests.simulator.test_migrations import migration, wait_migration_phase

pytestmark = pytest.mark.cluster
HOSTNAME = "kubernetes.io/hostname"


def test_node_selector_live_update_and_added_node_selector(
    kubevirt: KubeVirt, managed_node: ManagedNodeFactory
) -> None:
    nodes = [managed_node(f"sim-tgt-{i}-{kubevirt.namespace}", taint=True) for i in range(3)]
    tolerations = [ManagedNodeFactory.toleration(n) for n in nodes]
    kubevirt.create_vm(vm_manifest("picky", nodes=nodes, tolerations=tolerations))
    source = kubevirt.wait_vmi_phase("picky", "Running")["status"]["nodeName"]
    first, second = [n for n in nodes if n != source]

    # The VM's selector reaches the running VMI, which stays where it runs.
    kubevirt.patch(
        "virtualmachines", "picky", {"spec": {"template": {"spec": {"nodeSelector": {HOSTNAME: second}}}}}
    )

    def updated() -> dict[str, object] | None:
        vmi = kubevirt.vmi("picky")
        return vmi if ((vmi or {}).get("spec") or {}).get("nodeSelector") == {HOSTNAME: second} else None

    vmi = wait_object(updated, timeout=20, message="VMI nodeSelector live-updated")
    assert vmi["status"]["nodeName"] == source

    # An added selector naming another Node collides with the VMI's: the VMI's wins.
    clash = migration("clash", "picky")
    clash["spec"] = {"vmiName": "picky", "addedNodeSelector": {HOSTNAME: first}}
    kubevirt.create("virtualmachineinstancemigrations", clash)
    wait_migration_phase(kubevirt, "clash", "Succeeded")
    moved = kubevirt.vmi("picky")
    assert moved is not None
    assert moved["status"]["nodeName"] == second

    # Without a selector on the VM, the added one alone chooses the target.
    kubevirt.patch("virtualmachines", "picky", {"spec": {"template": {"spec": {"nodeSelector": None}}}})
    wait_object(
        lambda: (v := kubevirt.vmi("picky")) and not (v.get("spec") or {}).get("nodeSelector") and v,
        timeout=20,
        message="VMI nodeSelector removed",
    )
    added = migration("added", "picky")
    added["spec"] = {"vmiName": "picky", "addedNodeSelector": {HOSTNAME: first}}
    kubevirt.create("virtualmachineinstancemigrations", added)
    wait_migration_phase(kubevirt, "added", "Succeeded")
    again = kubevirt.vmi("picky")
    assert again is not None
    assert again["status"]["nodeName"] == first
