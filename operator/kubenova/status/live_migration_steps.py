"""Pure: the Nova state transitions of a live migration (``os-migrateLive``) carried out as a
KubeVirt VirtualMachineInstanceMigration (VMIM).

    MIGRATING (host chosen, both placements held in ``status.resize`` with type live-migration,
    migration ``queued``) → VM's nodeSelector set to the target (KubeVirt copies it to the VMI)
    → VMIM created (``preparing`` while KubeVirt prepares the target, ``running`` while memory
    is copied) → Succeeded: ACTIVE (or PAUSED) on the target, migration ``completed``.

A failed VMIM (no Node fits, the target failed, ...) or an abort leaves the server where it was,
idle, with the migration ``error`` (``cancelled`` for an abort) and the ``live-migration`` action
failed, as Nova's ``_rollback_live_migration`` does. Each function returns ``None`` when the
Server is not where it applies, so running one again does nothing.
"""

from __future__ import annotations

from kubenova.domain import actions
from kubenova.domain import migration_rules as rules
from kubenova.resources.server import EmbeddedFlavor, ResizeRecord, Server
from kubenova.resources.states import TaskState
from kubenova.status import action_records
from kubenova.status import migration_records as records
from kubenova.status.state_change import ActionFinish, Fault, Transition

ROW = actions.SERVER_ACTIONS["os-migrateLive"]
ACTION = ROW.name
PROGRESS = {rules.QUEUED: 0, rules.PREPARING: 25, rules.RUNNING: 50, rules.COMPLETED: 100}


def _request_id(server: Server) -> str:
    request = server.spec.live_migrate
    return request.request_id if request is not None else ""


def under_way(server: Server) -> ResizeRecord | None:
    """The record of the live migration under way, if any."""
    record = server.status.resize
    if record is None or record.migration_type != "live-migration":
        return None
    return record if server.status.task_state is TaskState.MIGRATING else None


def may_begin(server: Server) -> bool:
    status = server.status
    if not rules.live_migrate_pending(server) or status.host is None or status.flavor is None:
        return False
    return status.vm_state is not None and ROW.allows(status.vm_state, status.task_state)


def begin(server: Server, *, host: str, zone: str | None) -> Transition | None:
    """The target host is chosen: MIGRATING, both placements held, the migration ``queued``."""
    status = server.status
    if not may_begin(server) or status.vm_state is None or status.host is None or status.flavor is None:
        return None
    request_id = _request_id(server)
    record = records.same_flavor_move(
        server, request_id, host=host, zone=zone, migration_type="live-migration", running=True
    )
    if record is None:
        return None
    start = action_records.start_of(server, ACTION, request_id)
    migration = records.started(server, record, start.user_id) | {"status": rules.QUEUED}
    return Transition(
        status.vm_state,
        TaskState.MIGRATING,
        "LiveMigrating",
        f"Live migrating from {status.host} to {host}",
        fields={
            "handledLiveMigrate": request_id,
            "resize": record.to_api(),
            "progress": 0,
            "migration": migration,
        },
        start_action=start,
    )


def refuse(
    server: Server, message: str, *, fault: bool = False, details: str | None = None
) -> Transition | None:
    """A live migration that cannot start (no host, an unknown host): the server stays as it
    was, the action fails (Nova's conductor: the migration ``error``)."""
    status = server.status
    if not rules.live_migrate_pending(server) or status.vm_state is None:
        return None
    request_id = _request_id(server)
    start = action_records.start_of(server, ACTION, request_id)
    explained = f"{message} {details}" if details and not fault else message  # which filter refused
    return Transition(
        status.vm_state,
        status.task_state,
        "LiveMigrationFailed",
        explained,
        fields={
            "handledLiveMigrate": request_id,
            "migration": records.unscheduled(server, request_id, "live-migration", start.user_id),
        },
        start_action=start,
        finish_action=ActionFinish(ACTION, "Error", explained),
        fault=Fault(message, details) if fault else None,
        warning=True,
    )


def progressed(server: Server, migration_status: str) -> Transition | None:
    """KubeVirt moved the VMIM on: the migration's status and the server's progress."""
    if under_way(server) is None or migration_status not in PROGRESS:
        return None
    fields = records.with_status(server, migration_status)
    if not fields:
        return None
    status = server.status
    assert status.vm_state is not None
    return Transition(
        status.vm_state,
        TaskState.MIGRATING,
        "LiveMigrating",
        f"Live migration {migration_status}",
        fields={**fields, "progress": PROGRESS[migration_status]},
        announce=False,
    )


def abort_taken(server: Server) -> Transition | None:
    """An abort of the migration under way is taken up (the VMIM is deleted next)."""
    request = server.spec.live_migration_abort
    if under_way(server) is None or request is None or not rules.abort_pending(server):
        return None
    status = server.status
    assert status.vm_state is not None
    return Transition(
        status.vm_state,
        TaskState.MIGRATING,
        "LiveMigrationAborting",
        "Aborting the live migration",
        fields={"handledLiveMigrationAbort": request.request_id},
        announce=False,
    )


def aborting(server: Server) -> bool:
    """The abort of the migration under way was taken up."""
    request = server.spec.live_migration_abort
    return (
        under_way(server) is not None
        and request is not None
        and request.request_id == server.status.handled_live_migration_abort
    )


def completed(server: Server, addresses: dict[str, object]) -> Transition | None:
    """The VMI runs on the target: the server lives there, the source is released."""
    record = under_way(server)
    status = server.status
    if record is None or status.vm_state is None:
        return None
    return Transition(
        status.vm_state,
        None,
        "LiveMigrated",
        f"Server live migrated from {record.source_host} to {record.target_host}",
        fields={
            "resize": None,
            "progress": None,
            "host": record.target_host,
            "hypervisorHostname": record.target_host,
            "availabilityZone": record.target_zone,
            **records.with_status(server, rules.COMPLETED),
            **addresses,
        },
        finish_action=ActionFinish(ACTION, "Success"),
    )


def rolled_back(server: Server, reason: str) -> Transition | None:
    """The VMIM failed or was aborted: the server stays on its source, idle."""
    record = under_way(server)
    status = server.status
    if record is None or status.vm_state is None:
        return None
    outcome = rules.CANCELLED if aborting(server) else rules.ERROR
    return Transition(
        status.vm_state,
        None,
        "LiveMigrationFailed",
        f"Live migration to {record.target_host} {'cancelled' if outcome == rules.CANCELLED else 'failed'}: "
        f"{reason}; the server stays on {record.source_host}",
        fields={"resize": None, "progress": None, **records.with_status(server, outcome)},
        finish_action=ActionFinish(ACTION, "Error", reason),
        warning=True,
    )


def source_flavor(server: Server) -> EmbeddedFlavor | None:
    record = under_way(server)
    return record.source_flavor if record is not None else None
