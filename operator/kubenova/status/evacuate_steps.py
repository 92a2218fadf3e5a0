"""Pure: the Nova state transitions of an evacuation (Nova's ``evacuate``: the server's host is
down; it is rebuilt on another host from its persistent disk).

    REBUILDING (target chosen, both placements held in ``status.resize`` with type evacuation,
    migration ``pre-migrating``) → the VM pinned to the target, the instance left on the dead
    Node deleted, KubeVirt starts a new one from the same root disk on the target → ACTIVE there
    (STOPPED when the server was stopped, or when the request asked for it: 2.95), the source
    host released, the migration ``done``.

No host found: the migration ``error`` and the server in ERROR (Nova's conductor); a refusal the
operator finds (the source host up again, an unknown target: a ``kubectl`` request never passed
the gateway) fails the action and changes nothing else. Each function returns ``None`` when the
Server is not where it applies, so running one again does nothing.
"""

from __future__ import annotations

from typing import Any

from kubenova.domain import actions
from kubenova.domain import migration_rules as rules
from kubenova.resources.migration import MigrationRecord
from kubenova.resources.server import PowerStateName, ResizeRecord, Server
from kubenova.resources.states import TaskState, VmState
from kubenova.status import action_records
from kubenova.status import migration_records as records
from kubenova.status.state_change import ActionFinish, Fault, Transition

ROW = actions.SERVER_ACTIONS["evacuate"]
ACTION = ROW.name


def _request_id(server: Server) -> str:
    request = server.spec.evacuate
    return request.request_id if request is not None else ""


def under_way(server: Server) -> ResizeRecord | None:
    """The record of the evacuation under way, if any."""
    record = server.status.resize
    if record is None or record.migration_type != rules.EVACUATION:
        return None
    return record if server.status.task_state is TaskState.REBUILDING else None


def may_begin(server: Server) -> bool:
    status = server.status
    if not rules.evacuate_pending(server) or status.host is None or status.flavor is None:
        return False
    return status.vm_state is not None and ROW.allows(status.vm_state, status.task_state)


def ends_running(server: Server) -> bool:
    """Whether the evacuated server runs on the target: not when it was stopped, nor when the
    request asked for it to end stopped (2.95)."""
    request = server.spec.evacuate
    stopped = request is not None and request.stopped
    return not stopped and server.status.vm_state is not VmState.STOPPED


def begin(server: Server, *, host: str, zone: str | None) -> Transition | None:
    """The target host is chosen: REBUILDING, both placements held, the migration
    ``pre-migrating`` (Nova's move claim on the destination)."""
    status = server.status
    if not may_begin(server) or status.vm_state is None or status.host is None or status.flavor is None:
        return None
    request_id = _request_id(server)
    record = records.same_flavor_move(
        server,
        request_id,
        host=host,
        zone=zone,
        migration_type=rules.EVACUATION,
        running=ends_running(server),
    )
    if record is None:
        return None
    start = action_records.start_of(server, ACTION, request_id)
    return Transition(
        status.vm_state,
        TaskState.REBUILDING,
        "Evacuating",
        f"Evacuating from {status.host} to {host}",
        fields={
            "handledEvacuate": request_id,
            "resize": record.to_api(),
            "migration": records.started(server, record, start.user_id),
        },
        start_action=start,
    )


def _record(server: Server, request_id: str, status: str, user_id: str | None) -> dict[str, Any]:
    flavor = server.status.flavor
    return MigrationRecord(
        uuid=rules.migration_uuid(server.server_id, request_id),
        migration_type=rules.EVACUATION,
        status=status,
        instance_uuid=server.server_id,
        source_compute=server.status.host,
        source_node=server.status.host,
        old_instance_type_id=flavor.id if flavor is not None else None,
        new_instance_type_id=flavor.id if flavor is not None else None,
        user_id=user_id,
    ).to_api()


def refuse(server: Server, message: str) -> Transition | None:
    """An evacuation the operator may not carry out (the source host up, a bad target): the
    action fails, the server stays as it was."""
    status = server.status
    if not rules.evacuate_pending(server) or status.vm_state is None:
        return None
    request_id = _request_id(server)
    start = action_records.start_of(server, ACTION, request_id)
    return Transition(
        status.vm_state,
        status.task_state,
        "EvacuationFailed",
        message,
        fields={"handledEvacuate": request_id},
        start_action=start,
        finish_action=ActionFinish(ACTION, "Error", message),
        warning=True,
    )


def unscheduled(server: Server, message: str, details: str | None) -> Transition | None:
    """No host for the evacuation (Nova's conductor): the migration ``error``, the server in
    ERROR with the fault, still on its dead host."""
    status = server.status
    if not rules.evacuate_pending(server) or status.vm_state is None:
        return None
    request_id = _request_id(server)
    start = action_records.start_of(server, ACTION, request_id)
    return Transition(
        VmState.ERROR,
        None,
        "EvacuationFailed",
        message if details is None else f"{message} {details}",
        fields={
            "handledEvacuate": request_id,
            "migration": _record(server, request_id, rules.ERROR, start.user_id),
        },
        start_action=start,
        finish_action=ActionFinish(ACTION, "Error", message),
        fault=Fault(message, details),
        warning=True,
    )


def completed(server: Server, addresses: dict[str, object]) -> Transition | None:
    """The server runs (or rests halted) on the target: it lives there, the source host is
    released, the migration ``done``."""
    record = under_way(server)
    if record is None:
        return None
    running = record.running
    return Transition(
        VmState.ACTIVE if running else VmState.STOPPED,
        None,
        "Evacuated",
        f"Server evacuated from {record.source_host} to {record.target_host}",
        PowerStateName.RUNNING if running else PowerStateName.SHUTDOWN,
        fields={
            "resize": None,
            "fault": None,
            "host": record.target_host,
            "hypervisorHostname": record.target_host,
            "availabilityZone": record.target_zone,
            **records.with_status(server, rules.DONE),
            **addresses,
        },
        finish_action=ActionFinish(ACTION, "Success"),
    )
