"""Pure: which servers are an I/O workload on their host (Nova's ``compute/stats.py``).

Nova counts, per compute node, the instances that are building or in one of the task states
that move or copy disks: resize_migrating, rebuilding, resize_prep, image_snapshot,
image_backup, rescuing, unshelving. IoOpsFilter and IoOpsWeigher read that count.
"""

from __future__ import annotations

from kubenova.resources.states import TaskState, VmState

IO_TASK_STATES = frozenset(
    {
        TaskState.RESIZE_MIGRATING,
        TaskState.REBUILDING,
        TaskState.RESIZE_PREP,
        TaskState.IMAGE_SNAPSHOT,
        TaskState.IMAGE_BACKUP,
        TaskState.RESCUING,
        TaskState.UNSHELVING,
    }
)


def is_io_workload(vm_state: VmState | None, task_state: TaskState | None) -> bool:
    """True for a server that is building or in one of Nova's I/O task states."""
    return vm_state == VmState.BUILDING or task_state in IO_TASK_STATES


def is_failed_build(vm_state: VmState | None, launched_at: str | None) -> bool:
    """True for a server in ERROR that never became ACTIVE: its build failed on its host
    (BuildFailureWeigher's count, derived from the Servers so it survives a restart)."""
    return vm_state == VmState.ERROR and launched_at is None
