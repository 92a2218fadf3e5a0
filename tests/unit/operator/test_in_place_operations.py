"""Pause/unpause, the reboot sequence, resetState and suspend: the pure decisions (transitions,
observation, pending tasks, records)."""

from __future__ import annotations

import json
from typing import Any

from kubenova import status
from kubenova.domain import names, pending
from kubenova.kubevirt import models
from kubenova.resources.server import PowerStateName, Server
from kubenova.resources.states import TaskState, VmState
from kubenova.status import action_records, operations, pauses, reboots
from kubenova.status.state_change import render
from tests.unit.operator import factories as f

PLACED = {"host": "node-a", "vmName": "web-1", "flavor": f.embedded().to_api()}
NOW = "2026-01-01T00:10:00Z"


def server(power: str = "Running", vm_state: str = "active", task: str | None = None, **extra: Any) -> Server:
    fields: dict[str, Any] = {**PLACED, "vmState": vm_state, **extra}
    if task is not None:
        fields["taskState"] = task
    return f.server(spec={"powerState": power}, status=fields)


def paused_vmi(uid: str = "vmi-1", paused: bool = True) -> models.VirtualMachineInstance:
    vmi = f.vmi(uid=uid)
    if paused:
        condition = models.Condition(type="Paused", status="True", reason="PausedByUser")
        vmi.status.conditions.append(condition)
    return vmi


def observe(s: Server, vmi: models.VirtualMachineInstance | None) -> status.Transition | None:
    return status.observe(s, status.Observation(vm=f.vm(), vmi=vmi), network_label="private")


# ----- pause / unpause ---------------------------------------------------------------------------


def test_pause_of_an_active_server_begins_with_task_pausing_and_the_pause_action() -> None:
    transition = pauses.begin_pause(server("Paused"))
    assert transition is not None
    assert (transition.vm_state, transition.task_state) == (VmState.ACTIVE, TaskState.PAUSING)
    assert transition.start_action is not None
    assert transition.start_action.action == "pause"
    assert operations.begin_power(server("Paused")) is None  # not a stop or start


def test_unpause_of_a_paused_server_begins_with_task_unpausing() -> None:
    transition = pauses.begin_pause(server("Running", "paused"))
    assert transition is not None
    assert (transition.vm_state, transition.task_state) == (VmState.PAUSED, TaskState.UNPAUSING)
    assert transition.start_action is not None
    assert transition.start_action.action == "unpause"
    assert operations.begin_power(server("Running", "paused")) is None  # not a start


def test_pause_is_not_begun_where_nova_refuses_it() -> None:
    assert pauses.begin_pause(server("Paused", "stopped")) is None  # a stopped server
    assert pauses.begin_pause(server("Paused", "active", "powering-off")) is None
    assert pauses.begin_pause(server("Paused", "active", "pausing")) is None  # under way
    assert pauses.begin_pause(server("Paused", "paused")) is None  # there already
    # A stop of a paused server is refused by Nova: nothing is carried out.
    assert operations.begin_power(server("Stopped", "paused")) is None
    assert pauses.begin_pause(server("Stopped", "paused")) is None
    assert pending.requested_task(server("Stopped", "paused")) is None


def test_pending_tasks_of_pause_and_unpause() -> None:
    assert pending.requested_task(server("Paused")) is TaskState.PAUSING
    assert pending.requested_task(server("Running", "paused")) is TaskState.UNPAUSING


def test_a_hard_reboot_of_a_paused_server_is_not_an_unpause() -> None:
    s = f.server(
        spec={"powerState": "Running", "reboot": {"type": "HARD", "requestId": "req-h"}},
        status={**PLACED, "vmState": "paused"},
    )
    assert pending.requested_task(s) is TaskState.REBOOTING_HARD
    assert pauses.begin_pause(s) is None
    assert operations.begin_reboot(s, "vmi-1") is not None


def test_pausing_ends_when_the_vmi_has_kubevirts_paused_condition() -> None:
    assert observe(server("Paused", task="pausing"), paused_vmi(paused=False)) is None
    transition = observe(server("Paused", task="pausing"), paused_vmi())
    assert transition is not None
    assert (transition.vm_state, transition.task_state) == (VmState.PAUSED, None)
    assert transition.power_state is PowerStateName.PAUSED
    assert transition.finish_action == status.ActionFinish("pause", "Success")


def test_unpausing_ends_when_the_condition_is_gone() -> None:
    assert observe(server("Running", "paused", "unpausing"), paused_vmi()) is None
    transition = observe(server("Running", "paused", "unpausing"), paused_vmi(paused=False))
    assert transition is not None
    assert (transition.vm_state, transition.task_state) == (VmState.ACTIVE, None)
    assert transition.power_state is PowerStateName.RUNNING
    assert transition.finish_action == status.ActionFinish("unpause", "Success")


def test_a_pause_behind_kubenovas_back_is_synced() -> None:
    transition = observe(server("Running"), paused_vmi())
    assert transition is not None
    assert transition.vm_state is VmState.PAUSED
    back = observe(server("Running", "paused", powerState="Paused"), paused_vmi(paused=False))
    assert back is not None
    assert back.vm_state is VmState.ACTIVE
    assert observe(server("Paused", "paused", powerState="Paused"), paused_vmi()) is None


def test_a_refused_pause_fails_the_action_and_is_not_asked_again() -> None:
    refused = pauses.pause_refused(server("Paused", task="pausing"), "VMI is not running")
    assert refused is not None
    assert (refused.vm_state, refused.task_state) == (VmState.ACTIVE, None)
    assert refused.fields == {"refusedPowerState": "Paused"}
    assert refused.finish_action is not None
    assert refused.finish_action.result == "Error"
    after = server("Paused", refusedPowerState="Paused")
    assert pauses.begin_pause(after) is None
    assert pending.requested_task(after) is None
    assert pauses.forget_refusal(after) is None
    # A new power state in the spec forgets the refusal, so the next Paused is tried again.
    changed = server("Running", refusedPowerState="Paused")
    forgotten = pauses.forget_refusal(changed)
    assert forgotten is not None
    assert forgotten.fields == {"refusedPowerState": None}


def test_a_paused_server_keeps_its_vm_running() -> None:
    assert status.desired_run_strategy(server("Paused").spec.power_state) is models.RunStrategy.ALWAYS


# ----- reboot sequence ---------------------------------------------------------------------------


def rebooting(task: str, **task_fields: Any) -> Server:
    record = {"action": "reboot", "requestId": "req-r", **task_fields}
    return f.server(
        spec={"reboot": {"type": "HARD" if "hard" in task else "SOFT", "requestId": "req-r"}},
        status={**PLACED, "vmState": "active", "taskState": task, "task": record},
    )


def test_soft_reboot_accepted_moves_to_started_and_ends_in_the_same_instance() -> None:
    sent = reboots.soft_reboot_sent(rebooting("reboot_pending", instanceUid="vmi-1"), None)
    assert sent is not None
    assert sent.task_state is TaskState.REBOOT_STARTED
    assert "task" not in sent.fields  # the instance stays: nothing to replace
    started = rebooting("reboot_started", instanceUid="vmi-1")
    done = observe(started, f.vmi(uid="vmi-1"))
    assert done is not None
    assert (done.vm_state, done.task_state) == (VmState.ACTIVE, None)
    assert done.finish_action == status.ActionFinish("reboot", "Success")
    assert done.fields["handledReboot"] == "req-r"


def test_soft_reboot_refused_falls_back_to_a_hard_reboot_as_nova_libvirt_does() -> None:
    refused = reboots.soft_reboot_sent(rebooting("reboot_pending", instanceUid="vmi-1"), "no agent")
    assert refused is not None
    assert refused.task_state is TaskState.REBOOT_STARTED
    assert refused.fields["task"]["replacedInstanceUid"] == "vmi-1"
    assert refused.warning
    fallback = rebooting("reboot_started", replacedInstanceUid="vmi-1")
    assert observe(fallback, f.vmi(uid="vmi-1")) is None  # the old instance is still there
    done = observe(fallback, f.vmi(uid="vmi-2"))
    assert done is not None
    assert done.task_state is None


def test_hard_reboot_moves_to_started_hard_once_the_instance_is_being_replaced() -> None:
    pending_hard = rebooting("reboot_pending_hard", replacedInstanceUid="vmi-1")
    assert observe(pending_hard, f.vmi(uid="vmi-2")) is None  # the reboot step drives pending
    started = reboots.hard_reboot_started(pending_hard)
    assert started is not None
    assert started.task_state is TaskState.REBOOT_STARTED_HARD
    assert reboots.hard_reboot_started(rebooting("reboot_started_hard")) is None
    done = observe(rebooting("reboot_started_hard", replacedInstanceUid="vmi-1"), f.vmi(uid="vmi-2"))
    assert done is not None
    assert done.vm_state is VmState.ACTIVE


def test_reboot_tasks_show_nova_api_statuses() -> None:
    for task, shown in (("reboot_pending", "REBOOT"), ("reboot_started_hard", "HARD_REBOOT")):
        patch = render(rebooting(task), status.Transition(VmState.ACTIVE, TaskState(task), "r", "m"), now=NOW)
        assert patch is not None
        assert patch["status"] == shown


# ----- resetState --------------------------------------------------------------------------------


def reset(state: str, vm_state: str = "error", task_state: str | None = None, **extra: Any) -> Server:
    fields: dict[str, Any] = {**PLACED, "vmState": vm_state, **extra}
    if task_state:
        fields["taskState"] = task_state
    return f.server(spec={"resetState": {"state": state, "requestId": "req-x"}}, status=fields)


def test_reset_state_sets_the_vm_state_clears_the_task_and_records_reset_state() -> None:
    transition = operations.reset_state(reset("active", "error"))
    assert transition is not None
    assert (transition.vm_state, transition.task_state) == (VmState.ACTIVE, None)
    assert transition.fields["handledResetState"] == "req-x"
    assert transition.start_action is not None
    assert transition.start_action.action == "resetState"
    assert transition.finish_action == status.ActionFinish("resetState", "Success")
    assert operations.reset_state(reset("active", handledResetState="req-x")) is None


def test_reset_state_abandons_an_operation_under_way() -> None:
    s = reset("error", "active", "reboot_started_hard", task={"action": "reboot", "requestId": "req-r"})
    transition = operations.reset_state(s)
    assert transition is not None
    assert transition.vm_state is VmState.ERROR
    assert transition.fields["task"] is None
    assert transition.fields["handledReboot"] == "req-r"  # not carried out again


def test_a_pending_reset_shows_its_state_at_once() -> None:
    s = reset("active", "error", "powering-off")
    assert pending.vm_state(s) is VmState.ACTIVE
    assert pending.task_state(s) is None


# ----- suspend / resume --------------------------------------------------------------------------


def test_suspend_is_recorded_as_failed_naming_pause_and_shelve() -> None:
    entry = {"action": "suspend", "requestId": "req-s", "startTime": "2026-01-01T00:00:00Z"}
    s = f.server(
        status={**PLACED, "vmState": "active"},
        annotations={names.REQUESTS_ANNOTATION: json.dumps([entry])},
    )
    (recorded,) = action_records.recorded_at_once(s)
    assert (recorded.action, recorded.result) == ("suspend", "Error")
    assert recorded.message is not None
    assert "pause" in recorded.message
    assert "shelve" in recorded.message
    transition = operations.record_requests(s)
    assert transition is not None
    assert transition.vm_state is VmState.ACTIVE
    patch = render(s, transition, now=NOW)
    assert patch is not None
    (action,) = patch["actions"]
    assert (action["action"], action["result"]) == ("suspend", "Error")
    assert action["finishTime"] == NOW
