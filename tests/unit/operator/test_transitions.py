"""The transitions Server operations start, and when they refuse (which makes them idempotent)."""

from __future__ import annotations

import json
from typing import Any

from kubenova.domain import names
from kubenova.resources.server import PowerStateName
from kubenova.resources.states import TaskState, VmState
from kubenova.scheduler.errors import NoValidHost
from kubenova.status import ActionFinish, Fault
from kubenova.status import operations as transitions
from kubenova.status.state_change import ActionStart
from tests.unit.operator import factories as f


def inbox(*entries: tuple[str, str]) -> dict[str, str]:
    """The gateway's request inbox annotation with (action, requestId) entries."""
    requests = [{"action": a, "requestId": r, "startTime": "2026-01-01T00:00:00Z"} for a, r in entries]
    return {names.REQUESTS_ANNOTATION: json.dumps(requests)}


def started(start: ActionStart | None) -> tuple[str, str, str | None] | None:
    return (start.action, start.request_id, start.user_id) if start is not None else None


def place(server: Any) -> Any:
    return transitions.placed(server, host="node-a", zone="az1", flavor=f.embedded(), image_id="img")


def test_a_new_server_is_placed_and_its_create_recorded_in_one_transition() -> None:
    transition = place(f.server(spec={"userId": "alice"}, annotations=inbox(("create", "req-1"))))
    assert transition is not None
    assert (transition.vm_state, transition.task_state) == (VmState.BUILDING, TaskState.SPAWNING)
    assert transition.power_state is PowerStateName.NOSTATE
    assert started(transition.start_action) == ("create", "req-1", "alice")
    assert transition.fields["progress"] == 0  # as Nova keeps it during a build
    assert place(f.server(status={"vmState": "building", "taskState": "spawning"})) is None


def test_placing_absorbs_a_reboot_request_present_at_creation() -> None:
    server = f.server(spec={"reboot": {"type": "HARD", "requestId": "req-old"}})
    transition = place(server)
    assert transition is not None
    assert transition.fields["handledReboot"] == "req-old"


def test_placed_persists_host_zone_flavor_and_image() -> None:
    server = f.server(status={"vmState": "building", "taskState": "scheduling"})
    transition = transitions.placed(server, host="node-a", zone="az1", flavor=f.embedded(), image_id="img")
    assert transition is not None
    assert transition.task_state is TaskState.SPAWNING
    assert transition.fields["host"] == transition.fields["hypervisorHostname"] == "node-a"
    assert transition.fields["availabilityZone"] == "az1"
    assert transition.fields["flavor"]["vcpus"] == 1
    assert transition.fields["imageId"] == "img"
    assert transition.fields["vmName"] == "web-1"


def test_placed_never_moves_an_already_placed_server() -> None:
    server = f.server(status={"vmState": "building", "taskState": "spawning", "host": "node-b"})
    assert transitions.placed(server, host="node-a", zone="z", flavor=f.embedded(), image_id="i") is None


def test_no_valid_host_is_error_with_nova_message_and_filter_details() -> None:
    server = f.server(status={"vmState": "building", "taskState": "scheduling"})
    error = NoValidHost("Filter results: RamFilter: (start: 3, end: 0)")
    transition = transitions.no_valid_host(server, error)
    assert transition is not None
    assert transition.vm_state is VmState.ERROR
    assert transition.task_state is None
    assert transition.reason == "NoValidHost"
    assert transition.fault == Fault(
        "No valid host was found.", "Filter results: RamFilter: (start: 3, end: 0)"
    )
    assert transition.finish_action == ActionFinish("create", "Error", "No valid host was found.")


def test_build_failed_only_while_building() -> None:
    assert transitions.build_failed(f.server(status={"vmState": "active"}), "x") is None


def power(spec_power: str, vm_state: str, task: str | None = None) -> Any:
    status: dict[str, Any] = {"vmState": vm_state}
    if task:
        status["taskState"] = task
    requests = inbox(("stop", "req-p"), ("start", "req-p"))
    return transitions.begin_power(
        f.server(spec={"powerState": spec_power}, status=status, annotations=requests)
    )


def test_stop_and_start_from_rest() -> None:
    stop = power("Stopped", "active")
    assert stop is not None
    assert stop.task_state is TaskState.POWERING_OFF
    assert stop.vm_state is VmState.ACTIVE  # stays ACTIVE while powering off
    assert started(stop.start_action) == ("stop", "req-p", None)
    start = power("Running", "stopped")
    assert start is not None
    assert start.task_state is TaskState.POWERING_ON
    assert started(start.start_action) == ("start", "req-p", None)


def test_power_request_already_satisfied_or_in_progress_does_nothing() -> None:
    assert power("Running", "active") is None
    assert power("Stopped", "stopped") is None
    assert power("Stopped", "active", "powering-off") is None
    assert power("Stopped", "building", "spawning") is None
    assert power("Stopped", "active", "rebooting") is None
    assert power("Running", "error") is None


def test_opposite_power_request_supersedes_the_one_under_way() -> None:
    start = power("Running", "active", "powering-off")
    assert start is not None
    assert start.task_state is TaskState.POWERING_ON
    assert start.finish_action == ActionFinish("stop", "Error", "Superseded by a newer power state request")


def reboot_server(kind: str, vm_state: str, task: str | None = None, handled: str | None = None) -> Any:
    status: dict[str, Any] = {"vmState": vm_state, "handledReboot": handled, "host": "node-a"}
    if task:
        status["taskState"] = task
    return f.server(spec={"reboot": {"type": kind, "requestId": "req-r"}}, status=status)


def begin_reboot(server: Any) -> Any:
    return transitions.begin_reboot(server, "vmi-1")


def test_reboot_of_an_active_server() -> None:
    soft = begin_reboot(reboot_server("SOFT", "active"))
    assert soft is not None
    assert soft.task_state is TaskState.REBOOT_PENDING  # compute/manager.py's first step
    # A soft reboot keeps its instance: it is remembered as the one the guest restarts in.
    assert soft.fields["task"] == {"action": "reboot", "requestId": "req-r", "instanceUid": "vmi-1"}
    hard = begin_reboot(reboot_server("HARD", "active"))
    assert hard is not None
    assert hard.task_state is TaskState.REBOOT_PENDING_HARD
    assert started(hard.start_action) == ("reboot", "req-r", None)
    assert hard.fields["task"] == {"action": "reboot", "requestId": "req-r", "replacedInstanceUid": "vmi-1"}


def test_only_a_hard_reboot_recovers_error() -> None:
    assert begin_reboot(reboot_server("HARD", "error")) is not None
    assert begin_reboot(reboot_server("SOFT", "error")) is None


def test_handled_or_impossible_reboots_do_not_begin() -> None:
    assert begin_reboot(reboot_server("SOFT", "active", handled="req-r")) is None
    assert begin_reboot(reboot_server("SOFT", "stopped")) is None
    assert begin_reboot(reboot_server("SOFT", "active", "powering-off")) is None


def test_rejected_reboot_is_handled_and_recorded_as_failed() -> None:
    transition = transitions.reject_reboot(reboot_server("SOFT", "stopped"))
    assert transition is not None
    assert transition.vm_state is VmState.STOPPED
    assert transition.fields == {"handledReboot": "req-r", "observedGeneration": 1}
    assert transition.finish_action is not None
    assert transition.finish_action.result == "Error"
    assert transition.warning


def test_delete_keeps_the_vm_state_and_sets_the_task_once() -> None:
    transition = transitions.begin_delete(
        f.server(status={"vmState": "active"}, annotations=inbox(("delete", "req-d")))
    )
    assert transition is not None
    assert (transition.vm_state, transition.task_state) == (VmState.ACTIVE, TaskState.DELETING)
    assert started(transition.start_action) == ("delete", "req-d", None)
    assert transitions.begin_delete(f.server(status={"vmState": "active", "taskState": "deleting"})) is None


def test_spec_driven_transitions_record_the_generation_acted_upon() -> None:
    server = f.server(spec={"powerState": "Stopped"}, status={"vmState": "active"}, generation=4)
    transition = transitions.begin_power(server)
    assert transition is not None
    assert transition.fields["observedGeneration"] == 4
