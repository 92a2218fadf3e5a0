"""Pure: the migration record (``status.migration``) each step of a cold move writes, in the same
status patch as the step; the operator copies it to the ``Migration`` object afterwards
(``handlers/servers/migrations.py``), so a restart between the two writes loses nothing.

Statuses as Nova's cold moves set them: the conductor creates the record ``pre-migrating`` when
the host is chosen, the source compute sets ``migrating`` when it powers the guest off and
``post-migrating`` when the disk is moved, the destination sets ``finished`` at VERIFY_RESIZE;
confirm sets ``confirmed``, revert ``reverting`` then ``reverted``; a failure ``error``.
"""

from __future__ import annotations

from typing import Any

from kubenova.domain import migration_rules as rules
from kubenova.resources.migration import MigrationRecord
from kubenova.resources.server import ResizeRecord, Server
from kubenova.resources.states import TaskState

STATUS_OF_TASK: dict[TaskState, str] = {
    TaskState.RESIZE_PREP: rules.PRE_MIGRATING,
    TaskState.RESIZE_MIGRATING: rules.MIGRATING,
    TaskState.RESIZE_MIGRATED: rules.POST_MIGRATING,
    TaskState.RESIZE_FINISH: rules.POST_MIGRATING,
}
"""The migration status while a cold move is in a task state."""


def same_flavor_move(
    server: Server, request_id: str, *, host: str, zone: str | None, migration_type: str, running: bool
) -> ResizeRecord | None:
    """The record of a move that keeps the flavor (live migration, evacuation) from the server's
    current placement to ``host``; ``None`` while the server has no host or flavor."""
    status = server.status
    if status.host is None or status.flavor is None:
        return None
    return ResizeRecord(
        request_id=request_id,
        source_host=status.host,
        source_zone=status.availability_zone,
        source_flavor=status.flavor,
        target_host=host,
        target_zone=zone,
        target_flavor=status.flavor,
        running=running,
        migration_type=migration_type,
        migration_uuid=rules.migration_uuid(server.server_id, request_id),
    )


def started(server: Server, record: ResizeRecord, user_id: str | None) -> dict[str, Any]:
    """The record of a move whose target host was just chosen (``pre-migrating``)."""
    return MigrationRecord(
        uuid=record.migration_uuid or rules.migration_uuid(server.server_id, record.request_id),
        migration_type=record.migration_type,
        status=rules.PRE_MIGRATING,
        instance_uuid=server.server_id,
        source_compute=record.source_host,
        source_node=record.source_host,
        dest_compute=record.target_host,
        dest_node=record.target_host,
        old_instance_type_id=record.source_flavor.id,
        new_instance_type_id=record.target_flavor.id,
        user_id=user_id,
    ).to_api()


def unscheduled(
    server: Server, request_id: str, migration_type: str, user_id: str | None
) -> dict[str, Any] | None:
    """The record of a move for which no host was found (Nova's conductor sets it ``error``)."""
    flavor = server.status.flavor
    if migration_type not in ("resize", "migration", "live-migration"):
        return None
    return MigrationRecord(
        uuid=rules.migration_uuid(server.server_id, request_id),
        migration_type=migration_type,
        status=rules.ERROR,
        instance_uuid=server.server_id,
        source_compute=server.status.host,
        source_node=server.status.host,
        old_instance_type_id=flavor.id if flavor is not None else None,
        new_instance_type_id=flavor.id if flavor is not None and migration_type != "resize" else None,
        user_id=user_id,
    ).to_api()


def with_status(server: Server, status: str) -> dict[str, Any]:
    """``{"migration": ...}`` with the current record moved to ``status``; ``{}`` when the server
    has no record of the move under way (a resize begun before records existed)."""
    current = server.status.migration
    record = server.status.resize
    if current is None or record is None or current.uuid != record.migration_uuid:
        return {}
    if current.status == status:
        return {}
    return {"migration": current.model_copy(update={"status": status}).to_api()}


def for_task(server: Server, task: TaskState) -> dict[str, Any]:
    """``with_status`` for the status a move has in task state ``task``."""
    status = STATUS_OF_TASK.get(task)
    return with_status(server, status) if status is not None else {}
