"""Cold migration as pure decisions: a resize to the same flavor (same state sequence, both
placements held), the migration record each step writes (Nova's statuses), the 2.56 target host
checks, and the Migration object the operator derives from the record."""

from __future__ import annotations

from typing import Any

from kubenova.domain import migration_rules as rules
from kubenova.domain import pending
from kubenova.handlers.servers import migrations
from kubenova.resources.migration import Migration, MigrationRecord
from kubenova.resources.server import ResizeDecision
from kubenova.resources.states import TaskState, VmState
from kubenova.status import resize_operations as ops
from tests.unit.operator import factories as f
from tests.unit.operator.test_resize import SMALL, apply


def migrating_server(host: str | None = None, **status: Any) -> Any:
    base = {
        "vmState": "active",
        "powerState": "Running",
        "host": "n1",
        "availabilityZone": "nova",
        "flavor": SMALL.to_api(),
    }
    request: dict[str, Any] = {"requestId": "req-mig"}
    if host is not None:
        request["host"] = host
    spec = {"flavor": "small", "userId": "admin-user", "migrate": request}
    return f.server(spec=spec, status={**base, **status})


def test_migrate_is_pending_as_resize_prep_until_taken_up() -> None:
    server = migrating_server()
    assert rules.migrate_pending(server)
    assert ops.pending_move(server) == ("migration", "req-mig")
    assert pending.task_state(server) is TaskState.RESIZE_PREP
    assert not rules.migrate_pending(migrating_server(handledMigrate="req-mig"))


def test_target_host_refusals_are_novas() -> None:
    server = migrating_server()
    assert rules.target_host_refusal(server, None, ["n1"]) is None
    refused = rules.target_host_refusal(server, "nowhere", ["n1", "n2"])
    assert refused == "Compute host nowhere could not be found."
    assert rules.target_host_refusal(server, "n1", ["n1", "n2"]) == rules.SAME_HOST
    assert rules.target_host_refusal(server, "n2", ["n1", "n2"]) is None


def test_migration_uuid_is_stable_per_request() -> None:
    assert rules.migration_uuid("s", "req-1") == rules.migration_uuid("s", "req-1")
    assert rules.migration_uuid("s", "req-1") != rules.migration_uuid("s", "req-2")
    assert rules.next_id([]) == 1
    assert rules.next_id([3, 7]) == 8


def test_cold_migration_walks_novas_statuses_to_confirmed() -> None:
    server = migrating_server()
    begun = ops.begin(server, host="n2", zone="nova", flavor=SMALL)
    assert begun is not None
    assert begun.start_action is not None
    assert begun.start_action.action == "migrate"
    server = apply(server, begun)
    assert server.status.handled_migrate == "req-mig"
    assert server.status.handled_resize is None
    record = server.status.resize
    assert record is not None
    assert (record.migration_type, record.source_host, record.target_host) == ("migration", "n1", "n2")
    assert record.target_flavor == record.source_flavor == SMALL
    migration = server.status.migration
    assert migration is not None
    assert migration.uuid == record.migration_uuid == rules.migration_uuid(server.server_id, "req-mig")
    assert (migration.status, migration.migration_type) == ("pre-migrating", "migration")
    assert (migration.source_compute, migration.dest_compute, migration.user_id) == ("n1", "n2", "admin-user")
    assert migration.old_instance_type_id == migration.new_instance_type_id == SMALL.id

    seen = []
    for task in (TaskState.RESIZE_MIGRATING, TaskState.RESIZE_MIGRATED, TaskState.RESIZE_FINISH):
        server = apply(server, ops.advance(server, task))
        seen.append(server.status.migration.status)
    assert seen == ["migrating", "post-migrating", "post-migrating"]
    assert server.status.host == "n2"
    finished = ops.finished(server, now="2026-01-01T00:01:00Z")
    assert finished is not None
    assert finished.finish_action is not None
    assert finished.finish_action.action == "migrate"
    server = apply(server, finished)
    assert (server.status.vm_state, server.status.migration.status) == (VmState.RESIZED, "finished")

    server = server.model_copy(
        update={"spec": server.spec.model_copy(update={"resize_decision": _decision("Confirm")})}
    )
    server = apply(server, ops.confirm(server))
    assert server.status.vm_state is VmState.ACTIVE
    assert server.status.resize is None
    assert server.status.migration.status == "confirmed"


def test_revert_of_a_migration_is_reverting_then_reverted() -> None:
    server = apply(migrating_server(), ops.begin(migrating_server(), host="n2", zone="nova", flavor=SMALL))
    for task in (TaskState.RESIZE_MIGRATING, TaskState.RESIZE_MIGRATED, TaskState.RESIZE_FINISH):
        server = apply(server, ops.advance(server, task))
    server = apply(server, ops.finished(server, now="2026-01-01T00:01:00Z"))
    server = server.model_copy(
        update={"spec": server.spec.model_copy(update={"resize_decision": _decision("Revert")})}
    )
    server = apply(server, ops.begin_revert(server))
    assert server.status.migration.status == "reverting"
    server = apply(server, ops.reverted_placement(server))
    assert server.status.host == "n1"
    server = apply(server, ops.reverted(server))
    assert (server.status.vm_state, server.status.migration.status) == (VmState.ACTIVE, "reverted")


def test_no_valid_host_fails_the_migrate_action_with_a_record_in_error() -> None:
    server = migrating_server()
    refused = ops.refuse(server, "No valid host was found.", fault=True)
    assert refused is not None
    assert refused.finish_action is not None
    assert (refused.finish_action.action, refused.finish_action.result) == ("migrate", "Error")
    server = apply(server, refused)
    assert server.status.handled_migrate == "req-mig"
    assert server.status.vm_state is VmState.ACTIVE
    assert server.status.host == "n1"
    migration = server.status.migration
    assert migration is not None
    assert (migration.status, migration.source_compute, migration.dest_compute) == ("error", "n1", None)


def test_migration_object_is_created_then_patched_only_when_the_record_differs() -> None:
    record = MigrationRecord(uuid="u-1", migration_type="migration", status="migrating", instance_uuid="s")
    body = migrations.body_of(record, "project-a", 4, "2026-01-01T00:00:00Z")
    assert body["metadata"] == {"name": "u-1", "namespace": "project-a"}
    stored = Migration.model_validate(body)
    assert stored.spec.id == 4
    assert stored.spec.created_at == "2026-01-01T00:00:00Z"
    assert not migrations.differs(record, stored)
    assert migrations.differs(record.model_copy(update={"status": "finished"}), stored)
    assert migrations.differs(record, None)


def _decision(action: str) -> Any:
    return ResizeDecision(action=action, request_id=f"req-{action.lower()}")
