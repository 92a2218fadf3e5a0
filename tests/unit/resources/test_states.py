"""The (vm_state, task_state) -> API status table and its inverse, against Nova's _STATE_MAP."""

from __future__ import annotations

import pytest

from kubenova.domain.status_table import api_status, states_for_status
from kubenova.resources.states import PowerState, TaskState, VmState


@pytest.mark.parametrize(
    ("vm_state", "task_state", "status"),
    [
        ("active", None, "ACTIVE"),
        ("active", "rebooting", "REBOOT"),
        ("active", "reboot_pending", "REBOOT"),
        ("active", "reboot_started", "REBOOT"),
        ("active", "rebooting_hard", "HARD_REBOOT"),
        ("active", "reboot_pending_hard", "HARD_REBOOT"),
        ("active", "reboot_started_hard", "HARD_REBOOT"),
        ("active", "updating_password", "PASSWORD"),
        ("active", "rebuilding", "REBUILD"),
        ("active", "rebuild_spawning", "REBUILD"),
        ("active", "migrating", "MIGRATING"),
        ("active", "resize_prep", "RESIZE"),
        ("active", "resize_finish", "RESIZE"),
        ("active", "powering-off", "ACTIVE"),
        ("active", "deleting", "ACTIVE"),
        ("building", None, "BUILD"),
        ("building", "scheduling", "BUILD"),
        ("building", "spawning", "BUILD"),
        ("stopped", None, "SHUTOFF"),
        ("stopped", "powering-on", "SHUTOFF"),
        ("stopped", "resize_migrating", "RESIZE"),
        ("stopped", "rebuilding", "REBUILD"),
        ("resized", None, "VERIFY_RESIZE"),
        ("resized", "resize_reverting", "REVERT_RESIZE"),
        ("resized", "resize_confirming", "VERIFY_RESIZE"),
        ("paused", None, "PAUSED"),
        ("paused", "migrating", "MIGRATING"),
        ("suspended", None, "SUSPENDED"),
        ("rescued", None, "RESCUE"),
        ("error", None, "ERROR"),
        ("error", "rebuilding", "REBUILD"),
        ("error", "deleting", "ERROR"),
        ("deleted", None, "DELETED"),
        ("soft-delete", None, "SOFT_DELETED"),
        ("shelved", None, "SHELVED"),
        ("shelved_offloaded", None, "SHELVED_OFFLOADED"),
    ],
)
def test_api_status_follows_novas_state_map(vm_state: str, task_state: str | None, status: str) -> None:
    assert api_status(vm_state, task_state) == status


def test_api_status_accepts_enum_members_as_well_as_strings() -> None:
    assert api_status(VmState.ACTIVE, TaskState.REBOOTING_HARD) == "HARD_REBOOT"
    assert api_status(VmState.STOPPED, None) == "SHUTOFF"


def test_missing_vm_state_is_build_and_unknown_vm_state_is_unknown() -> None:
    # A Server the operator has not touched yet has no vm_state: Nova shows such instances as BUILD.
    assert api_status(None, None) == "BUILD"
    assert api_status("hibernating", None) == "UNKNOWN"


def test_unknown_task_state_counts_as_idle() -> None:
    assert api_status("active", "defragmenting") == "ACTIVE"


def test_every_vm_state_has_a_status() -> None:
    for vm in VmState:
        assert api_status(vm, None) not in ("", "UNKNOWN")


def test_power_state_values_are_novas_integers() -> None:
    assert {p.name: p.value for p in PowerState} == {
        "NOSTATE": 0,
        "RUNNING": 1,
        "PAUSED": 3,
        "SHUTDOWN": 4,
        "CRASHED": 6,
        "SUSPENDED": 7,
    }


def test_states_for_hard_reboot_is_active_with_the_hard_reboot_tasks() -> None:
    assert states_for_status("HARD_REBOOT") == [
        (
            VmState.ACTIVE,
            {TaskState.REBOOTING_HARD, TaskState.REBOOT_PENDING_HARD, TaskState.REBOOT_STARTED_HARD},
        )
    ]


def test_states_for_shutoff_is_stopped_idle_or_any_task_not_claimed_by_an_override() -> None:
    [(vm, tasks)] = states_for_status("SHUTOFF")
    assert vm is VmState.STOPPED
    assert None in tasks
    assert TaskState.POWERING_ON in tasks
    assert TaskState.RESIZE_PREP not in tasks
    assert TaskState.REBUILDING not in tasks


def test_states_for_status_is_case_insensitive_and_empty_for_unknown() -> None:
    assert states_for_status("shutoff") == states_for_status("SHUTOFF")
    assert states_for_status("NOT_A_STATUS") == []


def test_states_for_rebuild_spans_active_stopped_and_error() -> None:
    assert {vm for vm, _ in states_for_status("REBUILD")} == {VmState.ACTIVE, VmState.STOPPED, VmState.ERROR}


ALL_STATUSES = sorted({api_status(vm, task) for vm in VmState for task in [None, *TaskState]})


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_states_for_status_is_the_exact_inverse_of_api_status(status: str) -> None:
    expected = {(vm, task) for vm in VmState for task in [None, *TaskState] if api_status(vm, task) == status}
    found = {(vm, task) for vm, tasks in states_for_status(status) for task in tasks}
    assert found == expected
