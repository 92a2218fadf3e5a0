"""Pure: the Nova state transitions of createImage/createBackup (``compute/manager.py``
``snapshot_instance``/``backup_instance``) and the Glance status of the image made.

image_snapshot (image_backup for a backup) → image_pending_upload (the CDI clone DataVolume of the
root disk exists) → image_uploading (CDI is cloning) → idle. The server's vm_state does not
change, and a failed clone does not put it in ERROR (Nova's snapshot failure leaves the instance
as it was): the action fails and the image is killed. Its Glance status: queued → saving → active.
"""

from __future__ import annotations

from kubenova.domain import actions, pending
from kubenova.domain.errors import InstanceInvalidState
from kubenova.resources.image import Image
from kubenova.resources.server import Server, ServerTask
from kubenova.resources.states import TaskState, VmState
from kubenova.status import action_records
from kubenova.status.state_change import ActionFinish, Transition

SNAPSHOT_TASKS = frozenset(
    {
        TaskState.IMAGE_SNAPSHOT,
        TaskState.IMAGE_BACKUP,
        TaskState.IMAGE_PENDING_UPLOAD,
        TaskState.IMAGE_UPLOADING,
    }
)
BACKUP_TYPE = "backup_type"
INSTANCE_UUID = "instance_uuid"
IMAGE_TYPE = "image_type"


def row_of(server: Server) -> actions.ServerAction:
    snapshot = server.spec.snapshot
    backup = snapshot is not None and snapshot.backup_type is not None
    return actions.SERVER_ACTIONS["createBackup" if backup else "createImage"]


def waits(server: Server) -> bool:
    return server.status.vm_state in (None, VmState.BUILDING) or server.status.task_state is not None


def refusal(server: Server) -> str | None:
    row = row_of(server)
    try:
        row.check(
            server_id=server.server_id, vm_state=pending.vm_state(server), task_state=None, launched=True
        )
    except InstanceInvalidState as refused:
        return str(refused)
    if server.status.host is None:
        return f"Cannot '{row.name}' instance {server.server_id} while it is in launched_at None"
    return None


def begin(server: Server, image_id: str) -> Transition | None:
    snapshot = server.spec.snapshot
    row = row_of(server)
    if snapshot is None or not pending.snapshot_pending(server) or waits(server) or row.task is None:
        return None
    if refusal(server) is not None:
        return None
    task = ServerTask(action=row.name, request_id=snapshot.request_id, image_id=image_id)
    return Transition(
        pending.vm_state(server),
        row.task,
        "Snapshotting",
        f"{row.name}: copying the root disk into image {image_id} ({snapshot.request_id})",
        fields={
            "task": task.to_api(),
            "handledSnapshot": snapshot.request_id,
            "observedGeneration": server.metadata.generation,
        },
        start_action=action_records.start_of(server, row.name, snapshot.request_id),
    )


def reject(server: Server, message: str) -> Transition | None:
    snapshot = server.spec.snapshot
    if snapshot is None or not pending.snapshot_pending(server) or waits(server):
        return None
    row = row_of(server)
    return Transition(
        pending.vm_state(server),
        server.status.task_state,
        "SnapshotRejected",
        message,
        fields={"handledSnapshot": snapshot.request_id},
        start_action=action_records.start_of(server, row.name, snapshot.request_id),
        finish_action=ActionFinish(row.name, "Error", message),
        warning=True,
    )


def advanced(server: Server, task: TaskState) -> Transition | None:
    """To ``image_pending_upload`` (the clone exists) or ``image_uploading`` (CDI clones)."""
    current = server.status.task_state
    order = [TaskState.IMAGE_PENDING_UPLOAD, TaskState.IMAGE_UPLOADING]
    if current not in SNAPSHOT_TASKS or server.status.vm_state is None or current is task:
        return None
    if current in order and order.index(current) > order.index(task):
        return None
    return Transition(server.status.vm_state, task, "Snapshotting", f"Snapshot {task.value}", announce=False)


def finished(server: Server, error: str | None = None) -> Transition | None:
    """The image is active (or the clone failed): idle again, the action closed."""
    task = server.status.task
    if server.status.task_state not in SNAPSHOT_TASKS or server.status.vm_state is None or task is None:
        return None
    image = task.image_id
    return Transition(
        server.status.vm_state,
        None,
        "SnapshotFailed" if error else "Snapshotted",
        error or f"Image {image} is active",
        finish_action=ActionFinish(task.action, "Error" if error else "Success", error),
        warning=error is not None,
    )


def backups_to_delete(
    images: list[Image], *, server_id: str, backup_type: str, rotation: int, newest: str | None = None
) -> list[Image]:
    """Nova's ``_rotate_backups``: the oldest backups of this server and type beyond ``rotation``.
    ``newest`` (the Image the backup just made) counts as the newest whatever the clock says:
    creation times have whole seconds, so two backups a second apart may tie."""
    backups = [
        i
        for i in images
        if i.spec.properties.get(INSTANCE_UUID) == server_id
        and i.spec.properties.get(IMAGE_TYPE) == "backup"
        and i.spec.properties.get(BACKUP_TYPE) == backup_type
        and not i.metadata.deletion_timestamp
    ]
    backups.sort(
        key=lambda i: (i.metadata.name == newest, i.metadata.creation_timestamp or "", i.metadata.name),
        reverse=True,
    )
    return backups[rotation:]
