"""Pause/unpause and SOFT/HARD reboot through kubectl-style spec changes, carried out on the
(simulated) KubeVirt VMI; state resets; each also resumed after a SIGKILL of the operator in the
middle (the step persisted, the KubeVirt call not yet made)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.integration.compute import GROUP, VERSION, Compute
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

SOFT_REBOOT_KNOB = "kubevirt-simulator.kubenova.io/soft-reboot"
PAUSE_KNOB = "kubevirt-simulator.kubenova.io/pause"


def paused_condition(vmi: dict[str, Any] | None) -> dict[str, Any] | None:
    conditions = ((vmi or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == "Paused"), None)


def actions_of(compute: Compute, name: str) -> list[tuple[str, str | None]]:
    return [(a["action"], a.get("result")) for a in compute.server(name)["status"]["actions"]]


def soft_reboots(compute: Compute, vmi_uid: str) -> list[Any]:
    events = compute.core.list_namespaced_event(
        compute.namespace, field_selector=f"involvedObject.uid={vmi_uid}"
    )
    return [e for e in events.items if e.reason == "SoftRebooted"]


def set_status(compute: Compute, name: str, status: dict[str, Any]) -> None:
    """What the operator would have persisted before it was killed (the status subresource)."""
    compute.custom.patch_namespaced_custom_object_status(
        GROUP, VERSION, compute.namespace, "servers", name, {"status": status}
    )


def active_server(compute: Compute, name: str, **spec: Any) -> dict[str, Any]:
    compute.create_server(name, flavor=compute.flavor(), image=compute.image(), **spec)
    compute.wait_status(name, "ACTIVE")
    vmi = compute.vmi(name)
    assert vmi is not None
    return vmi


def test_pause_and_unpause_use_the_vmi_pause_subresources(compute: Compute) -> None:
    before = active_server(compute, "nap")
    compute.patch_server("nap", {"powerState": "Paused"})
    server = compute.wait_status("nap", "PAUSED")
    assert server["status"]["vmState"] == "paused"
    assert server["status"]["powerState"] == "Paused"
    vmi = compute.vmi("nap")
    assert vmi is not None
    assert vmi["metadata"]["uid"] == before["metadata"]["uid"]  # the same instance, paused
    assert (paused_condition(vmi) or {}).get("status") == "True"
    vm = compute.vm("nap")
    assert vm is not None
    assert vm["status"]["printableStatus"] == "Paused"
    assert vm["spec"]["runStrategy"] == "Always"
    compute.wait_events("nap", "Pausing", "Paused")

    compute.patch_server("nap", {"powerState": "Running"})
    server = compute.wait_status("nap", "ACTIVE")
    assert server["status"]["powerState"] == "Running"
    assert paused_condition(compute.vmi("nap")) is None
    assert actions_of(compute, "nap")[-2:] == [("pause", "Success"), ("unpause", "Success")]
    compute.wait_events("nap", "Unpausing", "Unpaused")


def test_a_server_created_paused_is_paused_once_up_and_a_hard_reboot_unpauses(compute: Compute) -> None:
    compute.create_server("pz", flavor=compute.flavor(), image=compute.image(), powerState="Paused")
    compute.wait_status("pz", "PAUSED")
    before = compute.vmi("pz")
    assert before is not None
    compute.patch_server(
        "pz", {"powerState": "Running", "reboot": {"type": "HARD", "requestId": "req-pz-hard"}}
    )

    def rebooted() -> bool:
        status = compute.server("pz")["status"]
        return status.get("handledReboot") == "req-pz-hard" and status["status"] == "ACTIVE"

    wait_for(rebooted, timeout=30, message="hard reboot of a paused server")
    vmi = compute.vmi("pz")
    assert vmi is not None
    assert vmi["metadata"]["uid"] != before["metadata"]["uid"]
    assert paused_condition(vmi) is None
    assert ("unpause", "Success") not in actions_of(compute, "pz")


def test_soft_reboot_restarts_the_guest_in_the_same_vmi(compute: Compute) -> None:
    before = active_server(compute, "soft")
    uid = before["metadata"]["uid"]
    compute.patch_server("soft", {"reboot": {"type": "SOFT", "requestId": "req-soft-1"}})

    def rebooted() -> dict[str, Any] | None:
        server = compute.server("soft")
        status = server["status"]
        done = status.get("handledReboot") == "req-soft-1" and status.get("taskState") is None
        return server if done and status["status"] == "ACTIVE" else None

    server = wait_for(rebooted, timeout=30, message="soft reboot handled")
    vmi = compute.vmi("soft")
    assert vmi is not None
    assert vmi["metadata"]["uid"] == uid
    assert len(soft_reboots(compute, uid)) == 1  # KubeVirt restarted the guest once
    assert server["status"]["actions"][-1]["result"] == "Success"
    compute.wait_events("soft", "Rebooting", "SoftRebooting", "Rebooted")


def test_hard_reboot_replaces_the_vmi(compute: Compute) -> None:
    before = active_server(compute, "hard")
    compute.patch_server("hard", {"reboot": {"type": "HARD", "requestId": "req-hard-1"}})

    def rebooted() -> bool:
        status = compute.server("hard")["status"]
        return status.get("handledReboot") == "req-hard-1" and status["status"] == "ACTIVE"

    wait_for(rebooted, timeout=30, message="hard reboot handled")
    vmi = compute.vmi("hard")
    assert vmi is not None
    assert vmi["metadata"]["uid"] != before["metadata"]["uid"]
    assert soft_reboots(compute, before["metadata"]["uid"]) == []
    compute.wait_events("hard", "Rebooting", "HardRebooting", "Rebooted")


def test_a_failed_soft_reboot_falls_back_to_a_hard_reboot(
    compute: Compute, managed_node: ManagedNodeFactory
) -> None:
    node = managed_node("noacpi-" + compute.namespace[-6:], annotations={SOFT_REBOOT_KNOB: "fail"})
    before = active_server(compute, "fb", forcedHost=node)
    assert before["status"]["nodeName"] == node
    compute.patch_server("fb", {"reboot": {"type": "SOFT", "requestId": "req-fb"}})

    def rebooted() -> bool:
        status = compute.server("fb")["status"]
        return status.get("handledReboot") == "req-fb" and status["status"] == "ACTIVE"

    wait_for(rebooted, timeout=30, message="soft reboot fell back to hard")
    vmi = compute.vmi("fb")
    assert vmi is not None
    assert vmi["metadata"]["uid"] != before["metadata"]["uid"]
    assert actions_of(compute, "fb")[-1] == ("reboot", "Success")
    compute.wait_events("fb", "SoftRebootFailed", "Rebooted")
    assert any("trying hard reboot" in m for m in compute.event_messages("fb", "SoftRebootFailed"))


def test_reset_state_sets_the_state_without_touching_the_vm(compute: Compute) -> None:
    before = active_server(compute, "rst")
    compute.patch_server("rst", {"resetState": {"state": "error", "requestId": "req-reset-1"}})
    server = compute.wait_status("rst", "ERROR")
    assert server["status"]["handledResetState"] == "req-reset-1"
    compute.patch_server("rst", {"resetState": {"state": "active", "requestId": "req-reset-2"}})
    compute.wait_status("rst", "ACTIVE")
    assert actions_of(compute, "rst")[-2:] == [("resetState", "Success"), ("resetState", "Success")]
    vmi = compute.vmi("rst")
    assert vmi is not None
    assert vmi["metadata"]["uid"] == before["metadata"]["uid"]
    compute.wait_events("rst", "StateReset")


def test_a_pause_failing_with_its_instance_is_an_error_with_a_fault(
    compute: Compute, managed_node: ManagedNodeFactory
) -> None:
    node = managed_node("fragile-" + compute.namespace[-6:])
    active_server(compute, "frag", forcedHost=node)
    compute.core.patch_node(
        node, {"metadata": {"annotations": {"kubevirt-simulator.kubenova.io/fail-vmis": "true"}}}
    )
    compute.patch_server("frag", {"powerState": "Paused"})
    server = compute.wait_status("frag", "ERROR", timeout=30)
    assert server["status"]["fault"]["message"] == "SimulatedFailure"


def test_a_pause_kubevirt_refuses_fails_the_action_and_leaves_the_server_running(
    compute: Compute, managed_node: ManagedNodeFactory
) -> None:
    node = managed_node("nopause-" + compute.namespace[-6:], annotations={PAUSE_KNOB: "fail"})
    before = active_server(compute, "np", forcedHost=node)
    compute.patch_server("np", {"powerState": "Paused"})

    def refused() -> bool:
        return actions_of(compute, "np")[-1] == ("pause", "Error")

    wait_for(refused, timeout=30, message="the refused pause recorded as failed")
    server = compute.wait_status("np", "ACTIVE")
    assert server["status"]["refusedPowerState"] == "Paused"
    vmi = compute.vmi("np")
    assert vmi is not None
    assert vmi["metadata"]["uid"] == before["metadata"]["uid"]
    assert paused_condition(vmi) is None  # the guest was never paused
    compute.wait_events("np", "PauseFailed")
    # Not asked again while the spec stays Paused; asking for Running clears the refusal.
    compute.patch_server("np", {"powerState": "Running"})
    wait_for(
        lambda: compute.server("np")["status"].get("refusedPowerState") is None,  # one read
        timeout=30,
        message="the refusal forgotten once the spec changed",
    )
    assert compute.wait_status("np", "ACTIVE")["status"]["powerState"] == "Running"


# ----- an operator SIGKILLed in the middle ---------------------------------------------------------


def test_pause_persisted_before_a_sigkill_is_carried_out_after_restart(
    compute: Compute, operator: OperatorHandle
) -> None:
    before = active_server(compute, "kp")
    operator.kill()
    try:
        compute.patch_server("kp", {"powerState": "Paused"})
        set_status(compute, "kp", {"taskState": "pausing", "status": "ACTIVE"})  # the pause call not sent
        assert paused_condition(compute.vmi("kp")) is None
    finally:
        operator.start()
    compute.wait_status("kp", "PAUSED", timeout=60)
    vmi = compute.vmi("kp")
    assert vmi is not None
    assert vmi["metadata"]["uid"] == before["metadata"]["uid"]
    assert (paused_condition(vmi) or {}).get("status") == "True"


@pytest.mark.parametrize("kind", ["SOFT", "HARD"])
def test_reboot_persisted_before_a_sigkill_is_carried_out_after_restart(
    compute: Compute, operator: OperatorHandle, kind: str
) -> None:
    name = f"kr-{kind.lower()}"
    before = active_server(compute, name)
    uid = before["metadata"]["uid"]
    request = f"req-kill-{kind.lower()}"
    operator.kill()
    try:
        compute.patch_server(name, {"reboot": {"type": kind, "requestId": request}})
        task: dict[str, Any] = {"action": "reboot", "requestId": request}
        task["instanceUid" if kind == "SOFT" else "replacedInstanceUid"] = uid
        pending_task = "reboot_pending" if kind == "SOFT" else "reboot_pending_hard"
        set_status(compute, name, {"taskState": pending_task, "task": task})
    finally:
        operator.start()

    def rebooted() -> bool:
        status = compute.server(name)["status"]
        return status.get("handledReboot") == request and status["status"] == "ACTIVE"

    wait_for(rebooted, timeout=60, message=f"{kind} reboot resumed after restart")
    vmi = compute.vmi(name)
    assert vmi is not None
    if kind == "SOFT":
        assert vmi["metadata"]["uid"] == uid
        assert len(soft_reboots(compute, uid)) == 1
    else:
        assert vmi["metadata"]["uid"] != uid
