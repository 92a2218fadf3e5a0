"""Live migration as pure decisions: the pending task, the host checks, the migration statuses
a VMIM's phases mean, begin → progress → completed, a failure and an abort rolled back."""

from __future__ import annotations

from typing import Any

from kubenova.domain import migration_rules as rules
from kubenova.domain import pending
from kubenova.resources.server import LiveMigrationAbort
from kubenova.resources.states import TaskState, VmState
from kubenova.status import live_migration_steps as steps
from tests.unit.operator import factories as f
from tests.unit.operator.test_resize import SMALL, apply


def live_server(**status: Any) -> Any:
    base = {
        "vmState": "active",
        "powerState": "Running",
        "host": "n1",
        "availabilityZone": "nova",
        "flavor": SMALL.to_api(),
    }
    spec = {"flavor": "small", "userId": "admin-user", "liveMigrate": {"requestId": "req-live"}}
    return f.server(spec=spec, status={**base, **status})


def test_pending_live_migration_is_migrating_until_taken_up() -> None:
    server = live_server()
    assert rules.live_migrate_pending(server)
    assert pending.task_state(server) is TaskState.MIGRATING
    stopped = live_server(vmState="stopped")
    assert pending.task_state(stopped) is not TaskState.MIGRATING  # os-migrateLive needs ACTIVE/PAUSED
    assert not rules.live_migrate_pending(live_server(handledLiveMigrate="req-live"))


def test_host_checks_and_phases() -> None:
    server = live_server()
    assert rules.live_target_refusal(server, "n1", ["n1", "n2"]) == (
        f"Unable to migrate instance ({server.server_id}) to current host (n1)."
    )
    assert rules.live_target_refusal(server, "n9", ["n1"]) == "Compute host n9 could not be found."
    assert rules.live_target_refusal(server, None, []) is None
    phases = [None, "Pending", "Scheduling", "TargetReady", "Running", "Succeeded", "Failed"]
    assert [rules.migration_of_phase(p) for p in phases] == [
        "queued",
        "queued",
        "preparing",
        "preparing",
        "running",
        "completed",
        "error",
    ]


def test_begin_progress_and_completion() -> None:
    server = apply(live_server(), steps.begin(live_server(), host="n2", zone="nova"))
    assert (server.status.vm_state, server.status.task_state) == (VmState.ACTIVE, TaskState.MIGRATING)
    assert server.status.handled_live_migrate == "req-live"
    record = steps.under_way(server)
    assert record is not None
    assert (record.migration_type, record.source_host, record.target_host) == ("live-migration", "n1", "n2")
    assert server.status.migration.status == "queued"
    assert server.status.migration.user_id == "admin-user"
    server = apply(server, steps.progressed(server, "running"))
    assert (server.status.migration.status, server.status.progress) == ("running", 50)
    assert steps.progressed(server, "running") is None  # written once
    done = steps.completed(server, {})
    assert done is not None
    assert done.finish_action is not None
    assert (done.finish_action.action, done.finish_action.result) == ("live-migration", "Success")
    server = apply(server, done)
    assert (server.status.host, server.status.task_state, server.status.resize) == ("n2", None, None)
    assert server.status.migration.status == "completed"


def test_failure_and_abort_leave_the_server_on_its_source() -> None:
    begun = apply(live_server(), steps.begin(live_server(), host="n2", zone="nova"))
    failed = apply(begun, steps.rolled_back(begun, "target failed"))
    assert (failed.status.host, failed.status.task_state, failed.status.vm_state) == (
        "n1",
        None,
        VmState.ACTIVE,
    )
    assert failed.status.migration.status == "error"
    assert failed.status.actions[-1].result == "Error"

    abort = LiveMigrationAbort(request_id="req-abort", migration_id=1)
    asked = begun.model_copy(update={"spec": begun.spec.model_copy(update={"live_migration_abort": abort})})
    assert rules.abort_pending(asked)
    taken = apply(asked, steps.abort_taken(asked))
    assert steps.aborting(taken)
    assert steps.abort_taken(taken) is None
    cancelled = apply(taken, steps.rolled_back(taken, "Migration was aborted"))
    assert cancelled.status.migration.status == "cancelled"
    assert cancelled.status.host == "n1"


def test_no_host_fails_the_action_with_the_record_in_error() -> None:
    server = apply(live_server(), steps.refuse(live_server(), "No valid host was found."))
    assert server.status.task_state is None
    assert server.status.migration.status == "error"
    assert server.status.migration.migration_type == "live-migration"
    assert server.status.actions[-1].action == "live-migration"
