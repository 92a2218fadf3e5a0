"""Pure: the Nova state transitions of a rescue and an unrescue (``compute/manager.py``
``rescue_instance`` / ``unrescue_instance``).

rescue: task ``rescuing`` (the VM is halted, its template given the rescue disk first with the
root disk second, then started) → RESCUED, power Running, once the rescue instance runs; a rescue
disk that cannot be imported → ERROR with the fault (Nova's ``InstanceNotRescuable`` "Driver
Error", the instance set to ERROR). unrescue: task ``unrescuing`` (halted, the template restored,
the rescue disk deleted, started) → ACTIVE. Nova allows a rescue from ACTIVE, SHUTOFF and ERROR
(a stopped server runs once rescued) and an unrescue from RESCUED; ``status.task`` records the
request (and the rescue image), ``status.handledRescue`` that the request was taken up, so a
restarted operator goes on with it and never takes it up twice.

Each function returns ``None`` when the Server is not where it applies (idempotent callers).
"""

from __future__ import annotations

from typing import Any

from kubenova.domain import actions, pending
from kubenova.domain.errors import InstanceInvalidState
from kubenova.resources.server import PowerStateName, Server, ServerTask
from kubenova.resources.server_rescue import RESCUED
from kubenova.resources.states import TaskState, VmState
from kubenova.status import action_records
from kubenova.status.state_change import ActionFinish, Fault, Transition

RESCUE = actions.SERVER_ACTIONS["rescue"]
UNRESCUE = actions.SERVER_ACTIONS["unrescue"]
RESCUE_TASKS = frozenset({TaskState.RESCUING, TaskState.UNRESCUING})


def row_of(server: Server) -> actions.ServerAction | None:
    """The row the pending ``spec.rescue`` asks for (rescue or unrescue)."""
    rescue = server.spec.rescue
    if rescue is None:
        return None
    return RESCUE if rescue.state == RESCUED else UNRESCUE


def waits(server: Server) -> bool:
    """A pending rescue waits while the server builds or another task runs."""
    return server.status.vm_state in (None, VmState.BUILDING) or server.status.task_state is not None


def unsettled(server: Server) -> bool:
    """A rescue/unrescue under way or waiting to start (the resync looks again, in case a VM, VMI
    or DataVolume event was missed)."""
    if server.status.task_state in RESCUE_TASKS:
        return True
    return pending.rescue_pending(server) and not waits(server)


def refusal(server: Server) -> str | None:
    """Why the pending request may not run in the server's state (Nova's 409), or ``None``."""
    row = row_of(server)
    if row is None:
        return None
    vm_state = pending.vm_state(server)
    try:
        row.check(server_id=server.server_id, vm_state=vm_state, task_state=None, launched=True)
    except InstanceInvalidState as refused:
        return str(refused)
    if server.status.host is None:
        never = InstanceInvalidState(
            method=row.name, server_id=server.server_id, attribute="launched_at", value=None
        )
        return str(never)
    return None


def begin(server: Server, *, image_id: str | None) -> Transition | None:
    """Task ``rescuing`` (with the rescue image's id) or ``unrescuing`` for the pending request."""
    rescue, row = server.spec.rescue, row_of(server)
    if rescue is None or row is None or row.task is None:
        return None
    if not pending.rescue_pending(server) or waits(server) or refusal(server):
        return None
    rescuing = row is RESCUE
    task = ServerTask(action=row.name, request_id=rescue.request_id, image_id=image_id if rescuing else None)
    message = (
        f"Rescuing server from image {image_id} ({rescue.request_id})"
        if rescuing
        else f"Unrescuing server ({rescue.request_id})"
    )
    return Transition(
        pending.vm_state(server),
        row.task,
        "Rescuing" if rescuing else "Unrescuing",
        message,
        fields={
            "task": task.to_api(),
            "handledRescue": rescue.request_id,
            "observedGeneration": server.metadata.generation,
        },
        start_action=action_records.start_of(server, row.name, rescue.request_id),
    )


def reject(server: Server, message: str) -> Transition | None:
    """A request that cannot run (the state, or a missing rescue image): a failed action, the
    server left as it was."""
    rescue, row = server.spec.rescue, row_of(server)
    if rescue is None or row is None or not pending.rescue_pending(server) or waits(server):
        return None
    return Transition(
        pending.vm_state(server),
        server.status.task_state,
        "RescueRejected" if row is RESCUE else "UnrescueRejected",
        message,
        fields={"handledRescue": rescue.request_id},
        start_action=action_records.start_of(server, row.name, rescue.request_id),
        finish_action=ActionFinish(row.name, "Error", message),
        warning=True,
    )


def rescued(server: Server, addresses: dict[str, Any]) -> Transition | None:
    """The rescue instance runs: RESCUED, power Running."""
    if server.status.task_state is not TaskState.RESCUING:
        return None
    return Transition(
        VmState.RESCUED,
        None,
        "Rescued",
        f"Server rescued on {server.status.host}: booted from the rescue disk, root disk attached second",
        PowerStateName.RUNNING,
        {**addresses, "fault": None},
        finish_action=ActionFinish(RESCUE.name, "Success"),
    )


def unrescued(server: Server, addresses: dict[str, Any]) -> Transition | None:
    """The server runs from its own root disk again: ACTIVE."""
    if server.status.task_state is not TaskState.UNRESCUING:
        return None
    return Transition(
        VmState.ACTIVE,
        None,
        "Unrescued",
        f"Server unrescued on {server.status.host}: booted from its root disk",
        PowerStateName.RUNNING,
        {**addresses, "fault": None},
        finish_action=ActionFinish(UNRESCUE.name, "Success"),
    )


def failed(server: Server, message: str, details: str | None = None) -> Transition | None:
    """The rescue cannot finish (the rescue disk's import failed): ERROR with the fault; the VM has
    been given back its own disks and is halted."""
    task = server.status.task_state
    if task not in RESCUE_TASKS:
        return None
    row = RESCUE if task is TaskState.RESCUING else UNRESCUE
    return Transition(
        VmState.ERROR,
        None,
        "RescueFailed" if row is RESCUE else "UnrescueFailed",
        message if details is None else f"{message} {details}",
        PowerStateName.SHUTDOWN,
        fault=Fault(message, details),
        finish_action=ActionFinish(row.name, "Error", message),
        warning=True,
    )
