"""Soft delete, restore and reclaim: the transitions, their completion as observed, the VM's
run strategy, and when a soft-deleted server is due."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kubenova import status
from kubenova.domain import pending
from kubenova.kubevirt import models
from kubenova.resources.server import PowerStateName, Server
from kubenova.resources.states import TaskState, VmState
from kubenova.status import deferred_delete
from tests.unit.operator import factories as f

NOW = "2026-01-01T01:00:00Z"
PLACED = {"host": "node-a", "launchedAt": "2026-01-01T00:00:00Z", "powerState": "Running"}


def _server(vm_state: str, task: str | None = None, *, soft: bool, **extra: Any) -> Server:
    fields: dict[str, Any] = {**PLACED, "vmState": vm_state, **extra}
    if task is not None:
        fields["taskState"] = task
    return f.server(spec={"softDeleted": soft}, status=fields)


def test_a_soft_delete_starts_from_any_state_of_a_launched_server() -> None:
    begun = deferred_delete.begin_soft_delete(_server("active", soft=True), now=NOW)
    assert begun is not None
    assert (begun.vm_state, begun.task_state) == (VmState.ACTIVE, TaskState.SOFT_DELETING)
    assert begun.fields["softDeletedAt"] == NOW
    assert begun.start_action is not None
    assert begun.start_action.action == "delete"
    assert deferred_delete.begin_soft_delete(_server("error", "rebooting_hard", soft=True), now=NOW)
    # Not asked, already under way, already there, or never launched: nothing.
    assert deferred_delete.begin_soft_delete(_server("active", soft=False), now=NOW) is None
    assert deferred_delete.begin_soft_delete(_server("active", "soft-deleting", soft=True), now=NOW) is None
    assert deferred_delete.begin_soft_delete(_server("soft-delete", soft=True), now=NOW) is None
    assert deferred_delete.begin_soft_delete(_server("active", soft=True, launchedAt=None), now=NOW) is None


def test_a_restore_starts_from_soft_deleted_and_idle() -> None:
    begun = deferred_delete.begin_restore(_server("soft-delete", soft=False, softDeletedAt=NOW))
    assert begun is not None
    assert (begun.vm_state, begun.task_state) == (VmState.SOFT_DELETED, TaskState.RESTORING)
    assert begun.fields["softDeletedAt"] is None
    assert begun.start_action is not None
    assert begun.start_action.action == "restore"
    assert deferred_delete.begin_restore(_server("soft-delete", soft=True)) is None
    assert deferred_delete.begin_restore(_server("active", soft=False)) is None


def test_the_api_shows_the_task_the_intent_implies() -> None:
    assert pending.task_state(_server("active", soft=True)) is TaskState.SOFT_DELETING
    assert pending.task_state(_server("soft-delete", soft=False)) is TaskState.RESTORING
    assert pending.task_state(_server("soft-delete", soft=True)) is None


def test_completion_is_observed_on_the_vmi() -> None:
    soft = _server("active", "soft-deleting", soft=True)
    done = status.observe(
        soft, status.Observation(vm=f.vm(run_strategy="Halted"), vmi=None), network_label="p"
    )
    assert done is not None
    assert (done.vm_state, done.task_state, done.power_state) == (
        VmState.SOFT_DELETED,
        None,
        PowerStateName.SHUTDOWN,
    )
    assert done.finish_action == status.ActionFinish("delete", "Success")
    no_vm = status.observe(
        _server("error", "soft-deleting", soft=True), status.Observation(vm=None, vmi=None), network_label="p"
    )
    assert no_vm is not None
    assert no_vm.vm_state is VmState.SOFT_DELETED  # an ERROR server without a VM has nothing to stop
    running = status.Observation(vm=f.vm(run_strategy="Halted"), vmi=f.vmi())
    assert status.observe(soft, running, network_label="p") is None  # still shutting down
    restoring = _server("soft-delete", "restoring", soft=False)
    back = status.observe(restoring, status.Observation(vm=f.vm(), vmi=f.vmi()), network_label="p")
    assert back is not None
    assert (back.vm_state, back.task_state) == (VmState.ACTIVE, None)
    assert back.finish_action == status.ActionFinish("restore", "Success")
    resting = _server("soft-delete", soft=True, powerState="Shutdown")
    assert (
        status.observe(
            resting, status.Observation(vm=f.vm(run_strategy="Halted"), vmi=None), network_label="p"
        )
        is None
    )


def test_the_vm_is_halted_while_soft_deleted_and_runs_to_restore() -> None:
    assert (
        deferred_delete.wanted_run_strategy(_server("active", "soft-deleting", soft=True))
        is models.RunStrategy.HALTED
    )
    assert deferred_delete.wanted_run_strategy(_server("soft-delete", soft=True)) is models.RunStrategy.HALTED
    assert (
        deferred_delete.wanted_run_strategy(_server("soft-delete", "restoring", soft=False))
        is models.RunStrategy.ALWAYS
    )
    assert deferred_delete.wanted_run_strategy(_server("active", soft=False)) is None


def test_reclaim_is_due_the_interval_after_the_soft_delete() -> None:
    resting = _server("soft-delete", soft=True, softDeletedAt=NOW)
    assert deferred_delete.reclaim_at(resting, 60) == datetime(2026, 1, 1, 1, 1, tzinfo=UTC)
    assert deferred_delete.reclaim_at(resting, 0) is None  # 0: never reclaimed
    assert deferred_delete.reclaim_at(_server("active", soft=False, softDeletedAt=NOW), 60) is None
