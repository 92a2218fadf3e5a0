"""A restarted simulator picks up where it left off: no duplicate VMIs, no address changes.

Restarts the session's simulator (stop, start); the next test sees it running again.
"""

from __future__ import annotations

import pytest

from tests.fixtures.simulator import SimulatorHandle
from tests.simulator.kubevirt import KubeVirt, vm_manifest, vmi_address

pytestmark = pytest.mark.cluster


def test_restart_keeps_vmis_and_addresses(kubevirt: KubeVirt, simulator: SimulatorHandle) -> None:
    names = [f"keep-{i}" for i in range(3)]
    for name in names:
        kubevirt.create_vm(vm_manifest(name, nodes=simulator.node_names))
    before = {name: kubevirt.wait_vmi_phase(name, "Running") for name in names}
    kubevirt.create_vm(vm_manifest("waiting", node_selector={"sim-test/never": "matches"}))
    kubevirt.wait_vm_status("waiting", "ErrorUnschedulable")
    kubevirt.create_vm(vm_manifest("late", nodes=simulator.node_names))  # caught mid-flight by the restart

    assert simulator.restart() == 0
    assert "kubevirt-simulator: stopped" in simulator.log_text()

    after = {name: kubevirt.wait_vmi_phase(name, "Running") for name in names}
    for name in names:
        assert after[name]["metadata"]["uid"] == before[name]["metadata"]["uid"]
        assert vmi_address(after[name]) == vmi_address(before[name])
        assert after[name]["status"]["nodeName"] == before[name]["status"]["nodeName"]
        assert (
            after[name]["status"]["phaseTransitionTimestamps"]
            == before[name]["status"]["phaseTransitionTimestamps"]
        )
    late = kubevirt.wait_vmi_phase("late", "Running")
    fresh = kubevirt.create_vm(vm_manifest("fresh", nodes=simulator.node_names))
    assert fresh
    new = kubevirt.wait_vmi_phase("fresh", "Running")
    taken = {vmi_address(v) for v in before.values()} | {vmi_address(late)}
    assert vmi_address(new) not in taken
    waiting = kubevirt.vmi("waiting")
    assert waiting is not None
    assert waiting["status"]["phase"] == "Scheduling"
    kubevirt.wait_vm_status("waiting", "ErrorUnschedulable")
