"""Pure: the Nova state transitions of shelve, shelveOffload and unshelve.

Nova's sequences (``compute/manager.py``, ``conductor/manager.py``), each step persisted before
the side effect that follows it, so an operator restart continues from the recorded one:

    shelve:    task shelving (VM halted) → SHELVED once the VMI is gone, the host kept
               (with ``shelved_offload_time`` 0: SHELVED/shelving_offloading in the same write)
    offload:   shelving_offloading (VM unpinned) → SHELVED_OFFLOADED, host and node cleared
    unshelve:  unshelving; from SHELVED the VM is started → ACTIVE; from SHELVED_OFFLOADED the
               scheduler chooses a host → spawning with the host → VM pinned and started → ACTIVE.
               NoValidHost: SHELVED_OFFLOADED again and idle, the action failed (Nova's
               conductor); not tried again until ``spec.unshelve.requestId`` changes.

Each function returns ``None`` when the Server is not where it applies.
"""

from __future__ import annotations

from typing import Any

from kubenova.domain import shelve_rules as rules
from kubenova.resources.server import PowerStateName, Server, ServerTask
from kubenova.resources.server_shelve import ShelveRecord
from kubenova.resources.states import TaskState, VmState
from kubenova.status import action_records
from kubenova.status.state_change import ActionFinish, Fault, Transition

SHELVE_TASKS, UNSHELVE_TASKS = rules.SHELVE_TASKS, rules.UNSHELVE_TASKS


def _record(server: Server, **changes: Any) -> dict[str, Any]:
    record = server.status.shelve or ShelveRecord()
    return record.model_copy(update=changes).to_api()


def begin_shelve(server: Server) -> Transition | None:
    """shelve: task shelving (the VM is halted next)."""
    status = server.status
    if (
        not rules.shelve_pending(server)
        or status.vm_state is None
        or not rules.SHELVE.allows(status.vm_state, status.task_state)
    ):
        return None
    start = action_records.start_of(server, rules.SHELVE.name)
    return Transition(
        status.vm_state,
        TaskState.SHELVING,
        "Shelving",
        "Shelving server: powering it off, keeping its disks",
        fields={
            "task": ServerTask(action=rules.SHELVE.name, request_id=start.request_id).to_api(),
            "shelve": _record(server, failed_unshelve=None),
            "observedGeneration": server.metadata.generation,
        },
        start_action=start,
    )


def shelved(server: Server, *, now: str, offload_at_once: bool) -> Transition | None:
    """The VMI is gone: SHELVED on the same host (and offloading at once with offload time 0)."""
    status = server.status
    if status.task_state is not TaskState.SHELVING:
        return None
    fields: dict[str, Any] = {"shelve": _record(server, shelved_at=now, shelved_host=status.host)}
    if offload_at_once and status.task is not None:
        fields["task"] = status.task.to_api()
    return Transition(
        VmState.SHELVED,
        TaskState.SHELVING_OFFLOADING if offload_at_once else None,
        "Shelved",
        f"Server shelved on {status.host}; its disks are kept",
        PowerStateName.SHUTDOWN,
        fields,
        finish_action=None if offload_at_once else ActionFinish(rules.SHELVE.name, "Success"),
    )


def begin_offload(server: Server, *, due: bool) -> Transition | None:
    """shelveOffload asked (``spec.shelveOffload``) or due (``shelved_offload_time`` passed)."""
    status = server.status
    if status.vm_state is not VmState.SHELVED or status.task_state is not None or not server.spec.shelved:
        return None
    request = server.spec.shelve_offload
    if request is not None and rules.offload_pending(server):
        start = action_records.start_of(server, rules.OFFLOAD.name, request.request_id)
        fields: dict[str, Any] = {"shelve": _record(server, handled_offload=request.request_id)}
    elif due:
        start = None  # Nova's periodic task records no action
        fields = {}
    else:
        return None
    request_id = start.request_id if start is not None else "shelved-offload-time"
    fields["task"] = ServerTask(action=rules.OFFLOAD.name, request_id=request_id).to_api()
    return Transition(
        VmState.SHELVED,
        TaskState.SHELVING_OFFLOADING,
        "ShelveOffloading",
        f"Releasing host {status.host} of the shelved server",
        fields=fields,
        start_action=start,
    )


def offloaded(server: Server) -> Transition | None:
    """The VM is halted and unpinned: SHELVED_OFFLOADED, the host released (host and node cleared;
    the zone stays, as Nova keeps ``availability_zone``)."""
    status = server.status
    if status.task_state is not TaskState.SHELVING_OFFLOADING or status.vm_state is not VmState.SHELVED:
        return None
    action = status.task.action if status.task is not None else rules.OFFLOAD.name
    return Transition(
        VmState.SHELVED_OFFLOADED,
        None,
        "ShelveOffloaded",
        f"Server offloaded: host {status.host} released; the VirtualMachine and its disks are kept",
        PowerStateName.SHUTDOWN,
        {"host": None, "hypervisorHostname": None},
        finish_action=ActionFinish(action, "Success"),
    )


def begin_unshelve(server: Server) -> Transition | None:
    """unshelve: task unshelving."""
    status = server.status
    if not rules.unshelve_pending(server) or status.vm_state is None:
        return None
    if not rules.UNSHELVE.allows(status.vm_state, status.task_state):
        return None
    request = server.spec.unshelve
    start = action_records.start_of(
        server, rules.UNSHELVE.name, request.request_id if request is not None else None
    )
    return Transition(
        status.vm_state,
        TaskState.UNSHELVING,
        "Unshelving",
        "Unshelving server",
        fields={
            "task": ServerTask(action=rules.UNSHELVE.name, request_id=start.request_id).to_api(),
            "observedGeneration": server.metadata.generation,
        },
        start_action=start,
    )


def unshelve_placed(server: Server, *, host: str, zone: str) -> Transition | None:
    """An offloaded server's new host is chosen: spawning there (held from now on)."""
    status = server.status
    if status.vm_state is not VmState.SHELVED_OFFLOADED or status.task_state is not TaskState.UNSHELVING:
        return None
    if status.host is not None:
        return None
    return Transition(
        VmState.SHELVED_OFFLOADED,
        TaskState.SPAWNING,
        "Scheduled",
        f"Unshelving on host {host} in zone {zone}",
        fields={
            "host": host,
            "hypervisorHostname": host,
            "availabilityZone": zone,
            "task": status.task.to_api() if status.task else None,
        },
    )


def unshelve_no_valid_host(server: Server, message: str) -> Transition | None:
    """Nothing can take the offloaded server: it stays SHELVED_OFFLOADED, idle; the action fails."""
    status = server.status
    if status.vm_state is not VmState.SHELVED_OFFLOADED or status.task_state is not TaskState.UNSHELVING:
        return None
    key = rules.unshelve_key(server)
    return Transition(
        VmState.SHELVED_OFFLOADED,
        None,
        "NoValidHost",
        f"Unshelve failed: {message}",
        fields={"shelve": _record(server, failed_unshelve=key, handled_unshelve=key or None)},
        finish_action=ActionFinish(rules.UNSHELVE.name, "Error", message),
        warning=True,
    )


def unshelved(server: Server, *, addresses: dict[str, Any]) -> Transition | None:
    """The VMI runs again: ACTIVE; the shelved_* records cleared (Nova removes the keys)."""
    status = server.status
    if status.vm_state not in rules.SHELVED_STATES or status.task_state not in UNSHELVE_TASKS:
        return None
    if status.host is None:
        return None
    key = rules.unshelve_key(server) or None
    record = _record(server, shelved_at=None, shelved_host=None, handled_unshelve=key)
    return Transition(
        VmState.ACTIVE,
        None,
        "Unshelved",
        f"Server unshelved: running on {status.host}",
        PowerStateName.RUNNING,
        {"shelve": record, "fault": None, **addresses},
        finish_action=ActionFinish(rules.UNSHELVE.name, "Success"),
    )


def unshelve_failed(server: Server, reason: str, details: str | None) -> Transition | None:
    """The VM cannot start (Nova's failed spawn or start on unshelve): back to where it was, idle,
    with a fault and the action failed; an offloaded server loses the host it was given (the
    allocation dropped). The VM is halted (and unpinned) next. Not tried again until
    ``spec.unshelve.requestId`` changes."""
    status = server.status
    offloaded = status.vm_state is VmState.SHELVED_OFFLOADED and status.task_state is TaskState.SPAWNING
    shelved = status.vm_state is VmState.SHELVED and status.task_state is TaskState.UNSHELVING
    if not (offloaded or shelved) or status.vm_state is None:
        return None
    key = rules.unshelve_key(server)
    fields: dict[str, Any] = {"shelve": _record(server, failed_unshelve=key, handled_unshelve=key or None)}
    if offloaded:
        fields |= {"host": None, "hypervisorHostname": None}
    return Transition(
        status.vm_state,
        None,
        "UnshelveFailed",
        f"Unshelve failed: the VM did not start on {status.host}: {reason}",
        PowerStateName.SHUTDOWN,
        fields,
        fault=Fault(reason, details),
        finish_action=ActionFinish(rules.UNSHELVE.name, "Error", reason),
        warning=True,
    )
