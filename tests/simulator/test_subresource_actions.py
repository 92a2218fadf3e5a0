"""virt-api's subresource semantics (pure): which writes, or which refusal, for each action."""

from __future__ import annotations

from typing import Any

from kubenova.kubevirt.models import VirtualMachine, VirtualMachineInstance
from kubevirt_simulator import subresource_actions as actions
from kubevirt_simulator.subresource_actions import Rejection, Write


def vm(spec: dict[str, Any] | None = None) -> VirtualMachine:
    return VirtualMachine.model_validate({"metadata": {"name": "vm", "namespace": "ns"}, "spec": spec or {}})


def vmi(phase: str = "Running", conditions: list[dict[str, Any]] | None = None) -> VirtualMachineInstance:
    return VirtualMachineInstance.model_validate(
        {
            "metadata": {"name": "vm", "namespace": "ns", "uid": "vmi-uid"},
            "status": {"phase": phase, "conditions": conditions or []},
        }
    )


def writes(answer: actions.Answer) -> list[Write]:
    assert not isinstance(answer, Rejection), answer
    return answer


def rejection(answer: actions.Answer) -> Rejection:
    assert isinstance(answer, Rejection), answer
    return answer


def test_start_flips_halted_and_refuses_running_vms() -> None:
    (write,) = writes(actions.start(vm({"runStrategy": "Halted"}), {}, None))
    assert write.target == "vm"
    assert write.operations[-1] == {"op": "replace", "path": "/spec/runStrategy", "value": "Always"}
    (legacy,) = writes(actions.start(vm({"running": False}), {}, None))
    assert legacy.operations == [
        {"op": "test", "path": "/spec/running", "value": False},
        {"op": "replace", "path": "/spec/running", "value": True},
    ]
    refused = rejection(actions.start(vm({"runStrategy": "Halted"}), {}, vmi()))
    assert (refused.code, refused.reason) == (409, "Conflict")
    assert "VM is already running" in refused.message
    always = rejection(actions.start(vm({"runStrategy": "Always"}), {"printableStatus": "x"}, None))
    assert "Always does not support manual start requests" in always.message


def test_manual_start_appends_a_guarded_request() -> None:
    (first,) = writes(actions.start(vm({"runStrategy": "Manual"}), {}, None))
    assert first.operations == [
        {"op": "add", "path": "/status", "value": {"stateChangeRequests": [{"action": "Start"}]}}
    ]
    status = {"printableStatus": "Stopped", "startFailure": {"consecutiveFailCount": 1}}
    (write,) = writes(actions.start(vm({"runStrategy": "Manual"}), status, vmi("Succeeded")))
    assert write.target == "vm-status"
    assert write.operations == [
        {"op": "test", "path": "/status/stateChangeRequests", "value": None},
        {
            "op": "add",
            "path": "/status/stateChangeRequests",
            "value": [{"action": "Stop", "uid": "vmi-uid"}, {"action": "Start"}],
        },
        {"op": "remove", "path": "/status/startFailure"},
    ]
    busy = {"stateChangeRequests": [{"action": "Start"}]}
    assert rejection(actions.start(vm({"runStrategy": "Manual"}), busy, None)).code == 500
    failed = actions.start(vm({"runStrategy": "RerunOnFailure"}), {"x": 1}, vmi("Failed"))
    assert "does not support starting VM from failed state" in rejection(failed).message


def test_stop() -> None:
    (write,) = writes(actions.stop(vm({"runStrategy": "Always"}), {}, vmi()))
    assert write.operations[-1]["value"] == "Halted"
    (manual,) = writes(
        actions.stop(vm({"runStrategy": "Manual"}), {"stateChangeRequests": [{"action": "Start"}]}, vmi())
    )
    assert manual.operations[-1] == {
        "op": "replace",
        "path": "/status/stateChangeRequests",
        "value": [{"action": "Stop", "uid": "vmi-uid"}],
    }
    assert "VM is not running" in rejection(actions.stop(vm({"runStrategy": "Manual"}), {}, None)).message
    assert "VM is not running" in rejection(actions.stop(vm({"runStrategy": "Halted"}), {}, None)).message


def test_restart() -> None:
    (write,) = writes(actions.restart(vm({"runStrategy": "Always"}), {"printableStatus": "Running"}, vmi()))
    assert write.operations[-1]["value"] == [{"action": "Stop", "uid": "vmi-uid"}, {"action": "Start"}]
    assert (
        "does not support manual restart"
        in rejection(actions.restart(vm({"runStrategy": "Halted"}), {}, vmi())).message
    )
    assert "VM is not running" in rejection(actions.restart(vm({"runStrategy": "Always"}), {}, None)).message


def test_migrate() -> None:
    (write,) = writes(actions.migrate(vm(), vmi()))
    assert write.target == "migrations"
    assert write.body is not None
    assert write.body["metadata"] == {"generateName": "kubevirt-migrate-vm-"}
    assert write.body["spec"] == {"vmiName": "vm"}
    assert rejection(actions.migrate(vm(), None)).code == 404
    assert rejection(actions.migrate(vm(), vmi("Scheduling"))).code == 409


def test_pause_and_unpause_guard_the_stored_conditions() -> None:
    stored = [{"type": "Ready", "status": "True"}]
    (write,) = writes(actions.pause(vmi(conditions=stored), stored, "t"))
    assert write.target == "vmi-status"
    assert write.operations[0] == {"op": "test", "path": "/status/conditions", "value": stored}
    paused = write.operations[1]["value"]
    assert paused[-1]["type"] == "Paused"
    assert paused[-1]["reason"] == "PausedByUser"
    assert "already paused" in rejection(actions.pause(vmi(conditions=paused), paused, "t")).message
    (resume,) = writes(actions.unpause(vmi(conditions=paused), paused))
    assert resume.operations[1]["value"] == stored
    assert "not paused" in rejection(actions.unpause(vmi(conditions=stored), stored)).message
    assert rejection(actions.pause(vmi("Scheduled"), [], "t")).code == 409
