"""The state a server shows: what the operator stored, overlaid with the task a spec intent implies
before the operator has taken it up (``kubenova.domain.pending``). Nothing else is computed here.
"""

from __future__ import annotations

from kubenova.domain import pending
from kubenova.domain.status_table import api_status
from kubenova.resources import Server
from kubenova.resources.states import PowerState, TaskState, VmState


def vm_state(server: Server) -> VmState:
    return pending.vm_state(server)


def task_state(server: Server) -> TaskState | None:
    return pending.task_state(server)


def status(server: Server) -> str:
    """``status.status`` as the operator stored it; while a pending task overlays the stored one
    (or before the operator wrote any status), the status of that task from the one table."""
    task = pending.task_state(server)
    stored = server.status.status
    if (
        stored
        and server.status.vm_state is not None
        and task == server.status.task_state
        and pending.vm_state(server) == server.status.vm_state
    ):
        return stored
    return api_status(pending.vm_state(server), task)


def power_state(server: Server) -> int:
    """Nova's integer power state (the status stores it by name)."""
    name = server.status.power_state
    return PowerState[name.value.upper()].value if name is not None else PowerState.NOSTATE.value
