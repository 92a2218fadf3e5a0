"""Pure: Nova's deferred delete (soft delete, restore, reclaim) on a Server.

``spec.softDeleted: true`` → task ``soft-deleting`` (the ``delete`` action opened, Nova records a
soft delete as ``delete``) with ``softDeletedAt``, the VM halted → SOFT_DELETED (power off, VM and
disks kept) when the VMI is gone. ``false`` again → task ``restoring`` (the ``restore`` action),
the VM runs → ACTIVE when the VMI runs. A server SOFT_DELETED for longer than the reclaim
interval (Nova's ``reclaim_instance_interval``; 0: never) is deleted for real. The states each
step allows come from the action table; completions are in ``observation``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kubenova.domain import actions, pending
from kubenova.kubevirt import models
from kubenova.resources.server import PowerStateName, Server
from kubenova.resources.states import TaskState, VmState
from kubenova.status import action_records
from kubenova.status.state_change import ActionFinish, Transition

SOFT_DELETE = actions.SOFT_DELETE
RESTORE = actions.SERVER_ACTIONS["restore"]


def begin_soft_delete(server: Server, *, now: str) -> Transition | None:
    """Start a soft delete asked by ``spec.softDeleted`` (a launched server only)."""
    if not server.spec.soft_deleted or not pending.soft_delete_unsettled(server):
        return None
    if server.status.vm_state is None or not server.status.launched_at or SOFT_DELETE.task is None:
        return None
    return Transition(
        pending.vm_state(server),
        SOFT_DELETE.task,
        "SoftDeleting",
        "Soft-deleting server",
        fields={"softDeletedAt": now, "observedGeneration": server.metadata.generation},
        start_action=action_records.start_of(server, SOFT_DELETE.name),
    )


def begin_restore(server: Server) -> Transition | None:
    """Start a restore (``spec.softDeleted`` false again while SOFT_DELETED and idle)."""
    if server.spec.soft_deleted or not pending.soft_delete_unsettled(server) or RESTORE.task is None:
        return None
    if not RESTORE.allows(pending.vm_state(server), server.status.task_state):
        return None
    return Transition(
        VmState.SOFT_DELETED,
        RESTORE.task,
        "Restoring",
        "Restoring server",
        fields={"softDeletedAt": None, "observedGeneration": server.metadata.generation},
        start_action=action_records.start_of(server, RESTORE.name),
    )


def soft_deleted(server: Server) -> Transition:
    """The VMI is gone: SOFT_DELETED, powered off (``observation``)."""
    return Transition(
        VmState.SOFT_DELETED,
        None,
        "SoftDeleted",
        "Server is soft-deleted (powered off, kept until reclaimed or restored)",
        PowerStateName.SHUTDOWN,
        finish_action=ActionFinish(SOFT_DELETE.name, "Success"),
    )


def restored(server: Server, fields: dict[str, object]) -> Transition:
    """The VMI runs again: ACTIVE (``observation``)."""
    return Transition(
        VmState.ACTIVE,
        None,
        "Restored",
        f"Server restored on {server.status.host}",
        PowerStateName.RUNNING,
        fields,
        finish_action=ActionFinish(RESTORE.name, "Success"),
    )


def wanted_run_strategy(server: Server) -> models.RunStrategy | None:
    """The VM's runStrategy a soft delete or restore asks for (``None``: neither is under way)."""
    task, state = server.status.task_state, server.status.vm_state
    if task is TaskState.SOFT_DELETING or (task is None and state is VmState.SOFT_DELETED):
        return models.RunStrategy.HALTED
    if task is TaskState.RESTORING:
        return models.RunStrategy.ALWAYS
    return None


def reclaim_at(server: Server, interval_seconds: float) -> datetime | None:
    """When a SOFT_DELETED server is due to be deleted (``None``: not soft-deleted, or never)."""
    stamp = server.status.soft_deleted_at
    if server.status.vm_state is not VmState.SOFT_DELETED or interval_seconds <= 0 or not stamp:
        return None
    since = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return since + timedelta(seconds=interval_seconds)
