"""Pure: the Nova state transitions of a rebuild (``compute/manager.py`` ``rebuild_instance``).

rebuilding (the VM is halted) → rebuild_block_device_mapping (the VM's disk templates and
cloud-init are patched for the new image, the DataVolumes to re-create are deleted) →
rebuild_spawning (virt-controller re-creates them from the templates, CDI imports the new image;
the VM is started again) → idle: ACTIVE, or STOPPED for a server that was stopped (Nova keeps a
stopped instance stopped). The server keeps its id, host and ports. ``status.task`` records the
request, the image and the uids of the DataVolumes being replaced, so a restarted operator knows
where the rebuild is. An import of the new image that fails ends it in ERROR with CDI's message.

Each function returns ``None`` when the Server is not where it applies (idempotent callers).
"""

from __future__ import annotations

from typing import Any

from kubenova.domain import actions, pending
from kubenova.domain.errors import InstanceInvalidState
from kubenova.resources.server import PowerStateName, Server, ServerTask
from kubenova.resources.states import TaskState, VmState
from kubenova.status import action_records
from kubenova.status.state_change import ActionFinish, Fault, Transition

ROW = actions.SERVER_ACTIONS["rebuild"]
REBUILD_TASKS = frozenset(
    {TaskState.REBUILDING, TaskState.REBUILD_BLOCK_DEVICE_MAPPING, TaskState.REBUILD_SPAWNING}
)


def waits(server: Server) -> bool:
    """A pending rebuild waits while the server builds or another task runs."""
    return server.status.vm_state in (None, VmState.BUILDING) or server.status.task_state is not None


def refusal(server: Server) -> str | None:
    """Why the pending rebuild may not run in the server's state (Nova's 409), or ``None``."""
    vm_state = pending.vm_state(server)
    try:
        ROW.check(server_id=server.server_id, vm_state=vm_state, task_state=None, launched=True)
    except InstanceInvalidState as refused:
        return str(refused)
    if server.status.host is None:
        return str(
            InstanceInvalidState(
                method=ROW.name, server_id=server.server_id, attribute="launched_at", value=None
            )
        )
    return None


def begin(server: Server, *, image_id: str, replaced_volume_uids: list[str]) -> Transition | None:
    """Task ``rebuilding`` for the pending ``spec.rebuild``, with what the rebuild needs recorded."""
    rebuild = server.spec.rebuild
    if rebuild is None or not pending.rebuild_pending(server) or waits(server) or refusal(server):
        return None
    vm_state = pending.vm_state(server)
    task = ServerTask(
        action=ROW.name,
        request_id=rebuild.request_id,
        image_id=image_id,
        replaced_volume_uids=replaced_volume_uids,
        start_after=vm_state is not VmState.STOPPED,
    )
    return Transition(
        vm_state,
        TaskState.REBUILDING,
        "Rebuilding",
        f"Rebuilding server from image {image_id} ({rebuild.request_id})",
        fields={
            "task": task.to_api(),
            "imageId": image_id,
            "handledRebuild": rebuild.request_id,
            "observedGeneration": server.metadata.generation,
        },
        start_action=action_records.start_of(server, ROW.name, rebuild.request_id),
    )


def reject(server: Server, message: str) -> Transition | None:
    """A rebuild that cannot run (Nova's 409 for the state, 400 for the image): a failed action,
    the server left as it was."""
    rebuild = server.spec.rebuild
    if rebuild is None or not pending.rebuild_pending(server) or waits(server):
        return None
    return Transition(
        pending.vm_state(server),
        server.status.task_state,
        "RebuildRejected",
        message,
        fields={"handledRebuild": rebuild.request_id},
        start_action=action_records.start_of(server, ROW.name, rebuild.request_id),
        finish_action=ActionFinish(ROW.name, "Error", message),
        warning=True,
    )


def unscheduled(server: Server, message: str, details: str | None) -> Transition | None:
    """The server's host refused the new image (NoValidHost from the filters that run on rebuild,
    Nova's conductor): ERROR, idle, with the fault; the action failed; the image, VM and disks
    stay as they were (Nova rolls ``image_ref`` back)."""
    rebuild = server.spec.rebuild
    if rebuild is None or not pending.rebuild_pending(server) or waits(server):
        return None
    return Transition(
        VmState.ERROR,
        None,
        "NoValidHost",
        message if details is None else f"{message} {details}",
        fields={"handledRebuild": rebuild.request_id},
        start_action=action_records.start_of(server, ROW.name, rebuild.request_id),
        finish_action=ActionFinish(ROW.name, "Error", message),
        fault=Fault(message, details),
        warning=True,
    )


def _next(server: Server, after: TaskState, task: TaskState, reason: str, message: str) -> Transition | None:
    if server.status.task_state is not after or server.status.vm_state is None:
        return None
    return Transition(server.status.vm_state, task, reason, message, announce=False)


def disks_next(server: Server) -> Transition | None:
    """The VM is halted and its instance gone: its disks are replaced next."""
    return _next(
        server,
        TaskState.REBUILDING,
        TaskState.REBUILD_BLOCK_DEVICE_MAPPING,
        "RebuildingDisks",
        "Server halted; re-creating its disks",
    )


def spawning(server: Server) -> Transition | None:
    """The new disks stand in place of the old: they are filled and the server started."""
    return _next(
        server,
        TaskState.REBUILD_BLOCK_DEVICE_MAPPING,
        TaskState.REBUILD_SPAWNING,
        "RebuildSpawning",
        "Disks re-created from the new image; spawning",
    )


def rebuilt(server: Server, addresses: dict[str, Any] | None) -> Transition | None:
    """Done: ACTIVE with the instance's addresses, or STOPPED (``addresses`` ``None``)."""
    if server.status.task_state is not TaskState.REBUILD_SPAWNING:
        return None
    where = f"on {server.status.host}"
    if addresses is None:
        return Transition(
            VmState.STOPPED,
            None,
            "Rebuilt",
            f"Server rebuilt {where} (stopped)",
            PowerStateName.SHUTDOWN,
            {"fault": None, "progress": 100},
            finish_action=ActionFinish(ROW.name, "Success"),
        )
    return Transition(
        VmState.ACTIVE,
        None,
        "Rebuilt",
        f"Server rebuilt {where}",
        PowerStateName.RUNNING,
        {**addresses, "fault": None, "progress": 100},
        finish_action=ActionFinish(ROW.name, "Success"),
    )


def failed(server: Server, message: str, details: str | None = None) -> Transition | None:
    """The rebuild cannot finish (the new image's import failed): ERROR with the fault."""
    if server.status.task_state not in REBUILD_TASKS:
        return None
    return Transition(
        VmState.ERROR,
        None,
        "RebuildFailed",
        message if details is None else f"{message} {details}",
        PowerStateName.NOSTATE,
        fault=Fault(message, details),
        finish_action=ActionFinish(ROW.name, "Error", message),
        warning=True,
    )
