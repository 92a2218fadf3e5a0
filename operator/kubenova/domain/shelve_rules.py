"""Pure: Nova's shelve, shelveOffload and unshelve rules that the gateway and the operator share.

A Server is shelved by ``spec.shelved: true`` (from ACTIVE, SHUTOFF, PAUSED or SUSPENDED, as
``compute/api.py`` allows), offloaded by a new ``spec.shelveOffload.requestId`` (SHELVED only) or
by the operator once ``KUBENOVA_SHELVED_OFFLOAD_TIME`` has passed (Nova's
``shelved_offload_time``: 0 at once, -1 never), and unshelved by ``spec.shelved: false``. An
unshelve that found no host is not tried again until ``spec.unshelve.requestId`` changes.
"""

from __future__ import annotations

from datetime import datetime

from kubenova.domain import actions
from kubenova.resources.server import Server
from kubenova.resources.states import TaskState, VmState

SHELVE = actions.SERVER_ACTIONS["shelve"]
OFFLOAD = actions.SERVER_ACTIONS["shelveOffload"]
UNSHELVE = actions.SERVER_ACTIONS["unshelve"]
SHELVED_STATES = frozenset({VmState.SHELVED, VmState.SHELVED_OFFLOADED})
SHELVE_TASKS = frozenset({TaskState.SHELVING, TaskState.SHELVING_OFFLOADING})
UNSHELVE_TASKS = frozenset({TaskState.UNSHELVING, TaskState.SPAWNING})
"""Unshelve runs as unshelving, then (from SHELVED_OFFLOADED, once a host is chosen) spawning."""


def in_progress(server: Server) -> bool:
    """Whether a shelve, offload or unshelve owns the server's VM (the VM's state is not synced
    into the Server's then: a shelved server's VM is halted by design)."""
    status = server.status
    return status.task_state in SHELVE_TASKS or (
        status.vm_state in SHELVED_STATES and status.task_state in (*UNSHELVE_TASKS, None)
    )


def shelve_pending(server: Server) -> bool:
    """``spec.shelved`` asks for a shelve the server's vm_state allows (not yet shelved)."""
    state = server.status.vm_state
    return server.spec.shelved and state is not None and state in (SHELVE.vm_states or ())


def offload_pending(server: Server) -> bool:
    """A ``spec.shelveOffload`` request not taken up yet."""
    request = server.spec.shelve_offload
    record = server.status.shelve
    return request is not None and request.request_id != (record.handled_offload if record else None)


def unshelve_key(server: Server) -> str:
    """The id of the unshelve asked for ('' for ``spec.shelved: false`` without ``spec.unshelve``)."""
    return server.spec.unshelve.request_id if server.spec.unshelve is not None else ""


def unshelve_pending(server: Server) -> bool:
    """``spec.shelved: false`` on a shelved server, unless this very unshelve found no host."""
    if server.spec.shelved or server.status.vm_state not in SHELVED_STATES:
        return False
    record = server.status.shelve
    return record is None or record.failed_unshelve is None or record.failed_unshelve != unshelve_key(server)


def unshelve_host(server: Server) -> str | None:
    """The host a new ``spec.unshelve`` asks for (an old request's host is not reused)."""
    request, record = server.spec.unshelve, server.status.shelve
    if request is None or request.request_id == (record.handled_unshelve if record else None):
        return None
    return request.host


def requested_task(server: Server) -> TaskState | None:
    """The task a shelve intent implies while the server is idle (``None``: none asked)."""
    if shelve_pending(server):
        return TaskState.SHELVING
    if server.status.vm_state is VmState.SHELVED and offload_pending(server) and server.spec.shelved:
        return TaskState.SHELVING_OFFLOADING
    if unshelve_pending(server):
        return TaskState.UNSHELVING
    return None


def offload_due(server: Server, offload_time: float, now: datetime) -> bool:
    """A SHELVED, idle server whose ``shelved_offload_time`` has passed (0: at once; -1: never)."""
    record = server.status.shelve
    if server.status.vm_state is not VmState.SHELVED or server.status.task_state is not None:
        return False
    if offload_time < 0 or record is None or record.shelved_at is None:
        return False
    shelved = datetime.fromisoformat(record.shelved_at.replace("Z", "+00:00"))
    return (now - shelved).total_seconds() >= offload_time
