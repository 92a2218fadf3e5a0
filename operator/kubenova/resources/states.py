"""Nova's instance state model: vm_state, task_state, power_state and the API ``status`` table.

``vm_state`` is the stable state an instance rests in, ``task_state`` the transition under way
(None when idle), ``power_state`` what the hypervisor reports. The API ``status`` is derived from
the first two by one table (Nova's ``_STATE_MAP``); nothing else may compute it.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class VmState(StrEnum):
    BUILDING = "building"
    ACTIVE = "active"
    STOPPED = "stopped"
    PAUSED = "paused"
    SUSPENDED = "suspended"
    RESCUED = "rescued"
    RESIZED = "resized"
    SHELVED = "shelved"
    SHELVED_OFFLOADED = "shelved_offloaded"
    SOFT_DELETED = "soft-delete"
    DELETED = "deleted"
    ERROR = "error"


class TaskState(StrEnum):
    SCHEDULING = "scheduling"
    BLOCK_DEVICE_MAPPING = "block_device_mapping"
    NETWORKING = "networking"
    SPAWNING = "spawning"
    IMAGE_SNAPSHOT = "image_snapshot"
    IMAGE_SNAPSHOT_PENDING = "image_snapshot_pending"
    IMAGE_PENDING_UPLOAD = "image_pending_upload"
    IMAGE_UPLOADING = "image_uploading"
    IMAGE_BACKUP = "image_backup"
    UPDATING_PASSWORD = "updating_password"
    RESIZE_PREP = "resize_prep"
    RESIZE_MIGRATING = "resize_migrating"
    RESIZE_MIGRATED = "resize_migrated"
    RESIZE_FINISH = "resize_finish"
    RESIZE_REVERTING = "resize_reverting"
    RESIZE_CONFIRMING = "resize_confirming"
    REBOOTING = "rebooting"
    REBOOT_PENDING = "reboot_pending"
    REBOOT_STARTED = "reboot_started"
    REBOOTING_HARD = "rebooting_hard"
    REBOOT_PENDING_HARD = "reboot_pending_hard"
    REBOOT_STARTED_HARD = "reboot_started_hard"
    PAUSING = "pausing"
    UNPAUSING = "unpausing"
    SUSPENDING = "suspending"
    RESUMING = "resuming"
    POWERING_OFF = "powering-off"
    POWERING_ON = "powering-on"
    RESCUING = "rescuing"
    UNRESCUING = "unrescuing"
    REBUILDING = "rebuilding"
    REBUILD_BLOCK_DEVICE_MAPPING = "rebuild_block_device_mapping"
    REBUILD_SPAWNING = "rebuild_spawning"
    MIGRATING = "migrating"
    DELETING = "deleting"
    SOFT_DELETING = "soft-deleting"
    RESTORING = "restoring"
    SHELVING = "shelving"
    SHELVING_IMAGE_PENDING_UPLOAD = "shelving_image_pending_upload"
    SHELVING_IMAGE_UPLOADING = "shelving_image_uploading"
    SHELVING_OFFLOADING = "shelving_offloading"
    UNSHELVING = "unshelving"


class PowerState(IntEnum):
    NOSTATE = 0
    RUNNING = 1
    PAUSED = 3
    SHUTDOWN = 4
    CRASHED = 6
    SUSPENDED = 7


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
