# Over 300 lines: table-like cases of the VM/VMI → status mapping.
"""VM/VMI observation → Server status, and how transitions render into status patches."""

from __future__ import annotations

from typing import Any

import pytest

from kubenova import status
from kubenova.kubevirt import models
from kubenova.resources.server import PowerStateName, Server
from kubenova.resources.states import TaskState, VmState
from tests.unit.operator import factories as f

NOW = "2026-01-01T00:10:00Z"
PLACED = {"host": "node-a", "vmName": "web-1", "flavor": f.embedded().to_api()}


def placed(vm_state: str, task: str | None = None, **extra: Any) -> Server:
    fields: dict[str, Any] = {**PLACED, "vmState": vm_state, **extra}
    if task is not None:
        fields["taskState"] = task
    return f.server(status=fields)


def seen(
    vm: models.VirtualMachine | None = None,
    vmi: models.VirtualMachineInstance | None = None,
    *,
    printable: str | None = None,
) -> status.Observation:
    return status.Observation(vm=vm, vmi=vmi, vm_printable_status=printable)


def observe(server: Server, observation: status.Observation) -> status.Transition | None:
    return status.observe(server, observation, network_label="private")


def patch_of(server: Server, observation: status.Observation) -> dict[str, Any] | None:
    transition = observe(server, observation)
    assert transition is not None
    return status.render(server, transition, now=NOW)


# ----- render ---------------------------------------------------------------------------------


def test_render_derives_status_from_the_state_table_and_stamps_the_time() -> None:
    transition = status.Transition(VmState.ACTIVE, TaskState.REBOOTING_HARD, "Rebooting", "m")
    patch = status.render(placed("active"), transition, now=NOW)
    assert patch == {"taskState": "rebooting_hard", "status": "HARD_REBOOT", "updatedAt": NOW}


def test_render_returns_none_when_nothing_changes() -> None:
    server = placed("active", status="ACTIVE", powerState="Running")
    transition = status.Transition(VmState.ACTIVE, None, "Running", "m", PowerStateName.RUNNING)
    assert status.render(server, transition, now=NOW) is None


def test_render_clears_the_task_with_null() -> None:
    server = placed("active", "powering-on", status="ACTIVE")
    patch = status.render(server, status.Transition(VmState.ACTIVE, None, "Started", "m"), now=NOW)
    assert patch is not None
    assert patch["taskState"] is None


def test_render_replaces_maps_instead_of_merging_them() -> None:
    old = {"private": [{"version": 4, "addr": "10.0.0.1", "type": "fixed"}]}
    server = placed("active", status="ACTIVE", addresses={**old, "legacy": []})
    new = {"public": [{"version": 4, "addr": "10.0.0.2", "type": "fixed"}]}
    transition = status.Transition(VmState.ACTIVE, None, "Running", "m", fields={"addresses": new})
    patch = status.render(server, transition, now=NOW)
    assert patch is not None
    assert patch["addresses"] == {"private": None, "legacy": None, **new}


def test_render_stamps_faults_and_launch_time_once() -> None:
    transition = status.Transition(
        VmState.ERROR, None, "Failed", "m", fault=status.Fault("boom", "details"), launched=True
    )
    patch = status.render(placed("building", "spawning"), transition, now=NOW)
    assert patch is not None
    assert patch["fault"] == {"code": 500, "message": "boom", "details": "details", "created": NOW}
    assert patch["launchedAt"] == NOW
    relaunched = status.render(placed("building", "spawning", launchedAt="earlier"), transition, now=NOW)
    assert relaunched is not None
    assert "launchedAt" not in relaunched


def test_render_records_and_finishes_actions() -> None:
    start = status.Transition(
        VmState.ACTIVE,
        TaskState.POWERING_OFF,
        "PoweringOff",
        "m",
        start_action=status.ActionStart("stop", "req-1", "alice"),
    )
    patch = status.render(placed("active"), start, now=NOW)
    assert patch is not None
    assert patch["actions"] == [{"action": "stop", "requestId": "req-1", "userId": "alice", "startTime": NOW}]
    server = placed("active", "powering-off", actions=patch["actions"])
    finish = status.Transition(
        VmState.STOPPED, None, "Stopped", "m", finish_action=status.ActionFinish("stop", "Success")
    )
    done = status.render(server, finish, now="later")
    assert done is not None
    assert done["actions"] == [
        {
            "action": "stop",
            "requestId": "req-1",
            "userId": "alice",
            "startTime": NOW,
            "finishTime": "later",
            "result": "Success",
        }
    ]


def test_render_never_records_the_same_request_twice_and_keeps_the_newest() -> None:
    actions = [{"action": "stop", "requestId": f"req-{i}", "startTime": NOW} for i in range(5)]
    server = placed("active", status="ACTIVE", actions=actions)
    again = status.Transition(
        VmState.ACTIVE, None, "x", "m", start_action=status.ActionStart("stop", "req-4")
    )
    assert status.render(server, again, now=NOW) is None
    new = status.Transition(VmState.ACTIVE, None, "x", "m", start_action=status.ActionStart("stop", "req-5"))
    patch = status.render(server, new, now=NOW, actions_limit=3)
    assert patch is not None
    assert [a["requestId"] for a in patch["actions"]] == ["req-3", "req-4", "req-5"]


# ----- observe: building ----------------------------------------------------------------------


def test_nothing_is_observed_before_the_server_has_a_host() -> None:
    assert (
        observe(f.server(status={"vmState": "building", "taskState": "scheduling"}), seen(f.vm(), f.vmi()))
        is None
    )


def test_running_vmi_makes_a_spawning_server_active_with_addresses() -> None:
    server = placed(
        "building", "spawning", actions=[{"action": "create", "requestId": "r", "startTime": NOW}]
    )
    patch = patch_of(server, seen(f.vm(), f.vmi(ips=("10.244.0.5", "fd10::5"))))
    assert patch is not None
    assert patch["status"] == "ACTIVE"
    assert patch["vmState"] == "active"
    assert patch["taskState"] is None
    assert patch["powerState"] == "Running"
    assert patch["progress"] == 100
    assert patch["launchedAt"] == NOW
    assert patch["addresses"] == {
        "private": [
            {"version": 4, "addr": "10.244.0.5", "type": "fixed", "macAddr": "02:00:00:00:00:05"},
            {"version": 6, "addr": "fd10::5", "type": "fixed", "macAddr": "02:00:00:00:00:05"},
        ]
    }
    assert patch["networks"] == "private=10.244.0.5, fd10::5"
    assert patch["actions"][0]["result"] == "Success"


@pytest.mark.parametrize("phase", ["Pending", "Scheduling", "Scheduled"])
def test_the_way_to_running_costs_no_status_write(phase: str) -> None:
    # A build writes its status when placed and when ACTIVE; the VMI's phases in between are not
    # written (they were progress 25/50/75 once: three writes per server for a number).
    assert observe(placed("building", "spawning", progress=10), seen(f.vm(), f.vmi(phase, ips=()))) is None


def test_spawning_with_no_vmi_yet_waits() -> None:
    assert observe(placed("building", "spawning"), seen(f.vm(), None)) is None


def test_failed_vmi_during_build_is_an_error_with_the_reason_as_fault() -> None:
    patch = patch_of(placed("building", "spawning"), seen(f.vm(), f.vmi("Failed", reason="ImagePullFailed")))
    assert patch is not None
    assert patch["status"] == "ERROR"
    assert patch["vmState"] == "error"
    assert patch["powerState"] == "NOSTATE"
    assert patch["fault"]["message"] == "ImagePullFailed"
    assert patch["fault"]["code"] == 500


@pytest.mark.parametrize("printable", ["ErrorUnschedulable", "CrashLoopBackOff", "ImagePullBackOff"])
def test_vm_that_cannot_start_fails_the_build(printable: str) -> None:
    transition = observe(placed("building", "spawning"), seen(f.vm(), f.vmi("Pending"), printable=printable))
    assert transition is not None
    assert transition.vm_state is VmState.ERROR
    assert transition.fault == status.Fault(printable, None)


def test_server_created_stopped_becomes_shutoff() -> None:
    transition = observe(placed("building", "spawning"), seen(f.vm(run_strategy="Halted"), None))
    assert transition is not None
    assert (transition.vm_state, transition.task_state, transition.power_state) == (
        VmState.STOPPED,
        None,
        PowerStateName.SHUTDOWN,
    )


# ----- observe: power -------------------------------------------------------------------------


def test_powering_off_ends_when_the_vmi_is_gone() -> None:
    server = placed("active", "powering-off")
    assert observe(server, seen(f.vm(run_strategy="Halted"), f.vmi())) is None  # still running
    assert observe(server, seen(f.vm(run_strategy="Halted"), f.vmi(deleting=True))) is None
    patch = patch_of(server, seen(f.vm(run_strategy="Halted"), None))
    assert patch is not None
    assert (patch["status"], patch["vmState"], patch["powerState"]) == ("SHUTOFF", "stopped", "Shutdown")


def test_powering_off_also_ends_on_a_finished_vmi() -> None:
    transition = observe(
        placed("active", "powering-off"), seen(f.vm(run_strategy="Halted"), f.vmi("Succeeded"))
    )
    assert transition is not None
    assert transition.vm_state is VmState.STOPPED


def test_powering_on_ends_when_a_vmi_runs() -> None:
    server = placed("stopped", "powering-on")
    assert observe(server, seen(f.vm(), None)) is None
    assert observe(server, seen(f.vm(), f.vmi("Scheduling", ips=()))) is None
    transition = observe(server, seen(f.vm(), f.vmi()))
    assert transition is not None
    assert (transition.vm_state, transition.task_state) == (VmState.ACTIVE, None)
    assert transition.finish_action == status.ActionFinish("start", "Success")


def test_vm_stopped_behind_our_back_is_synced_to_shutoff() -> None:
    transition = observe(placed("active", powerState="Running"), seen(f.vm(run_strategy="Halted"), None))
    assert transition is not None
    assert transition.vm_state is VmState.STOPPED


def test_vmi_briefly_missing_under_runstrategy_always_changes_nothing() -> None:
    assert observe(placed("active", powerState="Running"), seen(f.vm(), None)) is None


def test_vm_started_behind_our_back_is_synced_to_active() -> None:
    transition = observe(placed("stopped", powerState="Shutdown"), seen(f.vm(), f.vmi()))
    assert transition is not None
    assert transition.vm_state is VmState.ACTIVE


def test_active_server_follows_address_changes_only() -> None:
    server = placed(
        "active",
        status="ACTIVE",
        powerState="Running",
        addresses={
            "private": [{"version": 4, "addr": "10.244.0.5", "type": "fixed", "macAddr": "02:00:00:00:00:05"}]
        },
        networks="private=10.244.0.5",
    )
    unchanged = observe(server, seen(f.vm(), f.vmi()))
    assert unchanged is not None
    assert status.render(server, unchanged, now=NOW) is None
    patch = patch_of(server, seen(f.vm(), f.vmi(ips=("10.244.0.9",))))
    assert patch is not None
    assert patch["networks"] == "private=10.244.0.9"
    assert set(patch) == {"addresses", "networks", "updatedAt"}


def test_crash_of_an_active_server_is_an_error() -> None:
    transition = observe(placed("active"), seen(f.vm(), f.vmi("Failed", reason="Crashed")))
    assert transition is not None
    assert transition.vm_state is VmState.ERROR
    assert transition.power_state is PowerStateName.CRASHED


def test_missing_vm_of_an_active_server_reports_nostate() -> None:
    transition = observe(placed("active", powerState="Running"), seen(None, None))
    assert transition is not None
    assert transition.power_state is PowerStateName.NOSTATE
    assert transition.vm_state is VmState.ACTIVE
    assert observe(placed("active", powerState="NOSTATE"), seen(None, None)) is None
    assert observe(placed("building", "spawning"), seen(None, None)) is None


# ----- observe: reboot, error, delete -----------------------------------------------------------


NOT_RECORDED = "not recorded"


def reboot_server(task: str = "rebooting", vm_state: str = "active", replaced: str | None = "old") -> Server:
    """A rebooting server; ``replaced`` is the VMI uid its ``status.task`` records (None: none ran)."""
    fields: dict[str, Any] = {**PLACED, "vmState": vm_state, "taskState": task}
    if replaced != NOT_RECORDED:
        fields["task"] = {"action": "reboot", "requestId": "req-9", "replacedInstanceUid": replaced}
    return f.server(spec={"reboot": {"type": "SOFT", "requestId": "req-9"}}, status=fields)


def test_reboot_waits_while_the_old_instance_is_there() -> None:
    server = reboot_server()
    assert observe(server, seen(f.vm(), f.vmi(uid="old"))) is None
    assert observe(server, seen(f.vm(), None)) is None
    assert observe(server, seen(f.vm(), f.vmi("Pending", uid="new"))) is None
    # Not yet recorded which instance is replaced: never finish early.
    assert observe(reboot_server(replaced=NOT_RECORDED), seen(f.vm(), f.vmi(uid="old"))) is None


def test_reboot_ends_when_a_new_instance_runs() -> None:
    transition = observe(reboot_server(), seen(f.vm(), f.vmi(uid="new")))
    assert transition is not None
    assert (transition.vm_state, transition.task_state) == (VmState.ACTIVE, None)
    assert transition.fields["handledReboot"] == "req-9"
    assert transition.finish_action == status.ActionFinish("reboot", "Success")


def test_hard_reboot_recovers_an_error_server() -> None:
    server = reboot_server("rebooting_hard", "error", replaced=None)
    transition = observe(server, seen(f.vm(), f.vmi(uid="new")))
    assert transition is not None
    assert transition.vm_state is VmState.ACTIVE
    assert transition.fields["fault"] is None


def test_error_is_sticky() -> None:
    assert observe(placed("error"), seen(f.vm(), f.vmi())) is None


def test_deleting_servers_are_left_to_the_delete_handler() -> None:
    assert observe(placed("active", "deleting"), seen(None, None)) is None
    terminating = f.server(status={**PLACED, "vmState": "active"}, deletionTimestamp="2026-01-01T00:00:01Z")
    assert observe(terminating, seen(f.vm(run_strategy="Halted"), None)) is None


def test_addresses_skip_garbage_and_duplicates() -> None:
    vmi = models.VirtualMachineInstance.model_validate(
        {
            "status": {
                "phase": "Running",
                "interfaces": [
                    {"ipAddress": "10.0.0.1/24", "ipAddresses": ["10.0.0.1/24", "not-an-ip", "10.0.0.1"]},
                    {"name": "no-ip"},
                ],
            }
        }
    )
    fields = status.address_fields(vmi, "net")
    assert fields["networks"] == "net=10.0.0.1"
    assert status.address_fields(f.vmi(ips=()), "net") == {"addresses": {}, "networks": None}
