"""Pure: the Nova state transitions of a resize, its confirm and its revert.

A resize runs as Nova's sequence of task states, each one persisted before the side effect that
follows it, so an operator restart continues from the recorded one:

    resize_prep (host chosen; both placements held in ``status.resize``)
    → resize_migrating (VM halted)  → resize_migrated (VMI gone; host and flavor are the new ones)
    → resize_finish (VM reshaped, root disk grown; started if it ran) → RESIZED (VERIFY_RESIZE)

confirmResize drops ``status.resize`` (the old host's hold goes with it) and the server is
ACTIVE or SHUTOFF as it was; revertResize runs ``resize_reverting``: VM halted, host and flavor
back to the old ones, VM reshaped and started again, then ACTIVE/SHUTOFF. Each function returns
``None`` when the Server is not where it applies, so running one again does nothing.
"""

from __future__ import annotations

from kubenova.domain import actions, migration_rules
from kubenova.domain import resize_rules as resize
from kubenova.resources.server import EmbeddedFlavor, PowerStateName, ResizeRecord, Server
from kubenova.resources.states import TaskState, VmState
from kubenova.status import action_records
from kubenova.status import migration_records as records
from kubenova.status.state_change import ActionFinish, ActionStart, Fault, Transition

RESIZE = actions.SERVER_ACTIONS["resize"]
CONFIRM = actions.SERVER_ACTIONS["confirmResize"]
REVERT = actions.SERVER_ACTIONS["revertResize"]
MIGRATE = actions.SERVER_ACTIONS["migrate"]
FORWARD_TASKS = (
    TaskState.RESIZE_PREP,
    TaskState.RESIZE_MIGRATING,
    TaskState.RESIZE_MIGRATED,
    TaskState.RESIZE_FINISH,
)
"""A resize's task states, in order."""
RESIZE_TASKS = frozenset((*FORWARD_TASKS, TaskState.RESIZE_REVERTING))


def pending_move(server: Server) -> tuple[str, str] | None:
    """The move asked and not taken up yet: (migration type, request id); a cold migration
    first (the gateway lets only one be asked at a time)."""
    if migration_rules.migrate_pending(server) and server.spec.migrate is not None:
        return "migration", server.spec.migrate.request_id
    if resize.resize_pending(server) and server.spec.resize is not None:
        return "resize", server.spec.resize.request_id
    return None


def _row(migration_type: str) -> actions.ServerAction:
    return MIGRATE if migration_type == "migration" else RESIZE


def _handled(migration_type: str) -> str:
    return "handledMigrate" if migration_type == "migration" else "handledResize"


def may_begin(server: Server) -> bool:
    """A pending resize or cold migration the server's state allows now (ACTIVE or SHUTOFF,
    idle, placed)."""
    status, move = server.status, pending_move(server)
    if move is None or status.host is None or status.flavor is None:
        return False
    return status.vm_state is not None and _row(move[0]).allows(status.vm_state, status.task_state)


def begin(
    server: Server, *, host: str, zone: str, flavor: EmbeddedFlavor, source_zone: str | None = None
) -> Transition | None:
    """The new host is chosen: resize_prep, both placements recorded (held from now on), the
    migration record ``pre-migrating``."""
    status, move = server.status, pending_move(server)
    if (
        move is None
        or not may_begin(server)
        or status.vm_state is None
        or status.host is None
        or status.flavor is None
    ):
        return None
    migration_type, request_id = move
    record = ResizeRecord(
        request_id=request_id,
        source_host=status.host,
        source_zone=source_zone or status.availability_zone,
        source_flavor=status.flavor,
        target_host=host,
        target_zone=zone,
        target_flavor=flavor,
        running=status.vm_state is VmState.ACTIVE,
        migration_type="migration" if migration_type == "migration" else "resize",
        migration_uuid=migration_rules.migration_uuid(server.server_id, request_id),
    )
    start = action_records.start_of(server, _row(migration_type).name, request_id)
    verb = "Migrating" if migration_type == "migration" else "Resizing"
    return Transition(
        status.vm_state,
        TaskState.RESIZE_PREP,
        verb,
        f"{verb} from flavor {status.flavor.name} on {status.host} to {flavor.name} on {host}",
        fields={
            _handled(migration_type): request_id,
            "resize": record.to_api(),
            "progress": 0,
            "migration": records.started(server, record, start.user_id),
        },
        start_action=start,
    )


def refuse(
    server: Server, message: str, *, fault: bool = False, details: str | None = None
) -> Transition | None:
    """A resize or cold migration that cannot be carried out (Nova answered 202 and rolled back):
    the server stays as it was, the ``resize``/``migrate`` action fails with ``message`` (and a
    fault and a migration record in ``error`` for NoValidHost)."""
    status, move = server.status, pending_move(server)
    if move is None or status.vm_state is None:
        return None
    migration_type, request_id = move
    row = _row(migration_type)
    start = action_records.start_of(server, row.name, request_id)
    fields: dict[str, object] = {_handled(migration_type): request_id}
    if fault:
        fields["migration"] = records.unscheduled(server, request_id, migration_type, start.user_id)
    return Transition(
        status.vm_state,
        status.task_state,
        "MigrationFailed" if migration_type == "migration" else "ResizeFailed",
        message,
        fields=fields,
        start_action=start,
        finish_action=ActionFinish(row.name, "Error", message),
        fault=Fault(message, details) if fault else None,
        warning=True,
    )


def advance(server: Server, task: TaskState) -> Transition | None:
    """The next task state of a resize under way: ``task`` must be the one after the current."""
    status, record = server.status, server.status.resize
    if record is None or status.vm_state is None or status.task_state not in FORWARD_TASKS:
        return None
    index = FORWARD_TASKS.index(status.task_state)
    if index + 1 >= len(FORWARD_TASKS) or FORWARD_TASKS[index + 1] is not task:
        return None
    fields: dict[str, object] = {"progress": 25 * (index + 1), **records.for_task(server, task)}
    if task is TaskState.RESIZE_MIGRATED:  # the server lives on the new host with the new flavor now
        fields |= _placement(record.target_host, record.target_zone, record.target_flavor)
    return Transition(
        status.vm_state, task, "Resizing", f"Resize: {task.value}", fields=fields, announce=False
    )


def finished(server: Server, *, now: str, addresses: dict[str, object] | None = None) -> Transition | None:
    """The VM runs (or rests) on the new host with the new flavor: RESIZED (VERIFY_RESIZE)."""
    status, record = server.status, server.status.resize
    if record is None or status.task_state is not TaskState.RESIZE_FINISH:
        return None
    done = record.model_copy(update={"finished_at": now})
    migration = records.with_status(server, migration_rules.FINISHED)
    return Transition(
        VmState.RESIZED,
        None,
        "Resized",
        f"Server {'migrated' if record.migration_type == 'migration' else 'resized'} to flavor "
        f"{record.target_flavor.name} on {record.target_host}; confirm or revert the resize",
        PowerStateName.RUNNING if record.running else PowerStateName.SHUTDOWN,
        {"resize": done.to_api(), "progress": 100, **(addresses or {}), **migration},
        finish_action=ActionFinish(_row(record.migration_type).name, "Success"),
    )


def failed_to_start(server: Server, printable_status: str, details: str | None) -> Transition | None:
    """KubeVirt cannot start the VM on the new host (or back on the old one): ERROR, as Nova's
    finish_resize failing leaves the server; both placements stay held (Nova's migration in
    ``error`` keeps its allocations) until the server is deleted."""
    status = server.status
    if status.resize is None or status.task_state not in (
        TaskState.RESIZE_FINISH,
        TaskState.RESIZE_REVERTING,
    ):
        return None
    forward = status.task_state is TaskState.RESIZE_FINISH
    action = _row(status.resize.migration_type).name if forward else REVERT.name
    return Transition(
        VmState.ERROR,
        None,
        "Failed",
        f"Server failed to start after {action}: {printable_status}",
        PowerStateName.NOSTATE,
        records.with_status(server, migration_rules.ERROR),
        fault=Fault(printable_status, details),
        finish_action=ActionFinish(action, "Error", printable_status),
        warning=True,
    )


def _decision_id(server: Server) -> str:
    decision = server.spec.resize_decision
    return decision.request_id if decision is not None else ""


def confirm(server: Server, *, automatic: bool = False) -> Transition | None:
    """confirmResize (asked, or the confirm window ran out): the old host's hold is released."""
    status, record = server.status, server.status.resize
    asked = resize.decision_pending(server) and server.spec.resize_decision is not None
    if asked and server.spec.resize_decision is not None and server.spec.resize_decision.action != "Confirm":
        return None
    if record is None or status.vm_state is not VmState.RESIZED or status.task_state is not None:
        return None
    if not asked and not automatic:
        return None
    fields: dict[str, object] = {"resize": None, **records.with_status(server, migration_rules.CONFIRMED)}
    if asked:
        request_id = _decision_id(server)
        fields["handledResizeDecision"] = request_id
        start = action_records.start_of(server, CONFIRM.name, request_id)
    else:
        start = ActionStart(CONFIRM.name, f"{record.request_id}-auto-confirm", server.spec.user_id)
    return Transition(
        VmState.ACTIVE if record.running else VmState.STOPPED,
        None,
        "ResizeConfirmed",
        f"Resize confirmed{' automatically' if automatic else ''}; {record.source_host} released",
        fields=fields,
        start_action=start,
        finish_action=ActionFinish(CONFIRM.name, "Success"),
    )


def begin_revert(server: Server) -> Transition | None:
    """revertResize: resize_reverting (the VM is halted next)."""
    status, decision = server.status, server.spec.resize_decision
    if decision is None or decision.action != "Revert" or not resize.decision_pending(server):
        return None
    if status.resize is None or status.vm_state is not VmState.RESIZED or status.task_state is not None:
        return None
    request_id = decision.request_id
    return Transition(
        VmState.RESIZED,
        REVERT.task,
        "RevertingResize",
        f"Reverting the resize to flavor {status.resize.source_flavor.name} on {status.resize.source_host}",
        fields={
            "handledResizeDecision": request_id,
            **records.with_status(server, migration_rules.REVERTING),
        },
        start_action=action_records.start_of(server, REVERT.name, request_id),
    )


def reverted_placement(server: Server) -> Transition | None:
    """Reverting, the VMI gone: host, zone and flavor are the old ones again."""
    status, record = server.status, server.status.resize
    if record is None or status.task_state is not TaskState.RESIZE_REVERTING or source_restored(server):
        return None
    return Transition(
        VmState.RESIZED,
        TaskState.RESIZE_REVERTING,
        "RevertingResize",
        f"Resize revert: back on {record.source_host}",
        fields=_placement(record.source_host, record.source_zone, record.source_flavor),
        announce=False,
    )


def reverted(server: Server, *, addresses: dict[str, object] | None = None) -> Transition | None:
    """The VM runs (or rests) on the old host with the old flavor: ACTIVE/SHUTOFF, hold released."""
    status, record = server.status, server.status.resize
    if record is None or status.task_state is not TaskState.RESIZE_REVERTING or not source_restored(server):
        return None
    return Transition(
        VmState.ACTIVE if record.running else VmState.STOPPED,
        None,
        "ResizeReverted",
        f"Resize reverted: flavor {record.source_flavor.name} on {record.source_host}",
        PowerStateName.RUNNING if record.running else PowerStateName.SHUTDOWN,
        {"resize": None, **(addresses or {}), **records.with_status(server, migration_rules.REVERTED)},
        finish_action=ActionFinish(REVERT.name, "Success"),
    )


def source_restored(server: Server) -> bool:
    record = server.status.resize
    return (
        record is not None
        and server.status.flavor == record.source_flavor
        and (server.status.host == record.source_host)
    )


def _placement(host: str, zone: str | None, flavor: EmbeddedFlavor) -> dict[str, object]:
    return {"host": host, "hypervisorHostname": host, "availabilityZone": zone, "flavor": flavor.to_api()}
