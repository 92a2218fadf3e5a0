"""Nova's API ``status`` from (vm_state, task_state): the one table (Nova's ``_STATE_MAP``).

The operator stores ``status.status`` from it; the gateway uses it for a task a spec intent implies
before the operator has taken it up (``domain.pending``) and, inverted, for ``?status=`` filters.
"""

from __future__ import annotations

from kubenova.resources.states import TaskState, VmState

_REBOOT = {TaskState.REBOOTING, TaskState.REBOOT_PENDING, TaskState.REBOOT_STARTED}
_HARD_REBOOT = {TaskState.REBOOTING_HARD, TaskState.REBOOT_PENDING_HARD, TaskState.REBOOT_STARTED_HARD}
_REBUILD = {TaskState.REBUILDING, TaskState.REBUILD_BLOCK_DEVICE_MAPPING, TaskState.REBUILD_SPAWNING}
_RESIZE = {
    TaskState.RESIZE_PREP,
    TaskState.RESIZE_MIGRATING,
    TaskState.RESIZE_MIGRATED,
    TaskState.RESIZE_FINISH,
}

_DEFAULT_STATUS: dict[VmState, str] = {
    VmState.ACTIVE: "ACTIVE",
    VmState.BUILDING: "BUILD",
    VmState.STOPPED: "SHUTOFF",
    VmState.RESIZED: "VERIFY_RESIZE",
    VmState.PAUSED: "PAUSED",
    VmState.SUSPENDED: "SUSPENDED",
    VmState.RESCUED: "RESCUE",
    VmState.ERROR: "ERROR",
    VmState.DELETED: "DELETED",
    VmState.SOFT_DELETED: "SOFT_DELETED",
    VmState.SHELVED: "SHELVED",
    VmState.SHELVED_OFFLOADED: "SHELVED_OFFLOADED",
}


def _overrides(vm_state: VmState) -> list[tuple[set[TaskState], str]]:
    if vm_state is VmState.ACTIVE:
        return [
            (_REBOOT, "REBOOT"),
            (_HARD_REBOOT, "HARD_REBOOT"),
            ({TaskState.UPDATING_PASSWORD}, "PASSWORD"),
            (_REBUILD, "REBUILD"),
            ({TaskState.MIGRATING}, "MIGRATING"),
            (_RESIZE, "RESIZE"),
        ]
    if vm_state is VmState.STOPPED:
        return [(_RESIZE, "RESIZE"), (_REBUILD, "REBUILD")]
    if vm_state is VmState.RESIZED:
        return [({TaskState.RESIZE_REVERTING}, "REVERT_RESIZE")]
    if vm_state is VmState.PAUSED:
        return [({TaskState.MIGRATING}, "MIGRATING")]
    if vm_state is VmState.ERROR:
        return [(_REBUILD, "REBUILD")]
    return []


def api_status(vm_state: VmState | str | None, task_state: TaskState | str | None) -> str:
    """Nova's API ``status`` for a (vm_state, task_state) pair; UNKNOWN for an unknown vm_state."""
    try:
        vm = VmState(vm_state) if vm_state is not None else VmState.BUILDING
    except ValueError:
        return "UNKNOWN"
    # An unknown task_state (e.g. from a newer operator) counts as idle rather than failing.
    task = (
        TaskState(task_state)
        if task_state is not None and task_state in TaskState._value2member_map_
        else None
    )
    for tasks, status in _overrides(vm):
        if task in tasks:
            return status
    return _DEFAULT_STATUS[vm]


def states_for_status(status: str) -> list[tuple[VmState, set[TaskState | None]]]:
    """The inverse of ``api_status``: (vm_state, task_states) pairs for a status (None = idle).

    Used by ``?status=`` filters. An unknown status gives an empty list.
    """
    status = status.upper()
    result: list[tuple[VmState, set[TaskState | None]]] = []
    for vm, default in _DEFAULT_STATUS.items():
        overridden: set[TaskState] = set()
        for tasks, name in _overrides(vm):
            overridden |= tasks
            if name == status:
                result.append((vm, set[TaskState | None](tasks)))
        if default == status:
            # Default status holds for every task_state that no override claims.
            idle: set[TaskState | None] = {None}
            result.append((vm, idle | {t for t in TaskState if t not in overridden}))
    return result
