"""createImage/createBackup: a new ``spec.snapshot.requestId`` → the root disk cloned by CDI into the
PVC the Image's ``volumeSource.pvc`` names (a DataVolume with a ``pvc`` source, owned by the Image,
so deleting the image deletes the copy), then the Image is active and bootable.

1. checks (the row's states), one status write: task image_snapshot/image_backup and
   ``status.task`` (request, image id); the Image's Glance status ``queued``;
2. the clone DataVolume is created (409: it exists already, after a restart) → task
   image_pending_upload, the Image ``saving``; CDI cloning → image_uploading;
3. Succeeded → the Image ``active``, the server idle, the action done; for a backup, the oldest
   backups of the same type beyond ``rotation`` are deleted (Nova's ``_rotate_backups``).
   A failed clone → the Image ``killed``, the action Error, the server as it was.

The clone DataVolume carries the Server's label and a label naming its namespace, so the
DataVolume index files it under the Server (``indexes.dv_index``) and its events reconcile it.
"""

from __future__ import annotations

import contextlib
from typing import Any

from kubenova import k8s
from kubenova.domain import pending
from kubenova.domain.names import SERVER_LABEL, SERVER_NAMESPACE_LABEL, SERVER_UID_ANNOTATION
from kubenova.handlers.runtime import Runtime
from kubenova.handlers.servers import observe, writer
from kubenova.kubevirt import cdi_models, disks, vm_rebuild
from kubenova.resources.base import API_VERSION
from kubenova.resources.image import Image
from kubenova.resources.server import Server
from kubenova.resources.states import TaskState
from kubenova.status import snapshot_steps


async def step(rt: Runtime, server: Server) -> Server | None:
    if server.status.task_state in snapshot_steps.SNAPSHOT_TASKS:
        return await _carry_on(rt, server)
    if not pending.snapshot_pending(server) or snapshot_steps.waits(server):
        return server
    snapshot = server.spec.snapshot
    image = rt.view.image(snapshot.image) if snapshot is not None else None
    refused = snapshot_steps.refusal(server)
    if refused is None and (
        image is None or image.spec.volume_source is None or image.spec.volume_source.pvc is None
    ):
        refused = f"Image {snapshot.image if snapshot else ''} could not be found or has no volumeSource.pvc."
    if refused is not None or image is None:
        message = refused or "no image"
        return await writer.apply(rt, server, lambda s: snapshot_steps.reject(s, message))
    await _set_image_status(rt, image, "queued")
    updated = await writer.apply(rt, server, lambda s: snapshot_steps.begin(s, image.image_id))
    if updated is not None and updated.status.task_state in snapshot_steps.SNAPSHOT_TASKS:
        return await _carry_on(rt, updated)
    return updated


async def _set_image_status(rt: Runtime, image: Image, wanted: str) -> None:
    if image.status.status == wanted:
        return
    with contextlib.suppress(k8s.NotFound):
        await rt.client.merge_patch(
            k8s.IMAGES, image.metadata.name, {"status": {"status": wanted}}, subresource="status"
        )


def _image_of(rt: Runtime, server: Server) -> Image | None:
    task = server.status.task
    if task is None or task.image_id is None:
        return None
    return next((i for i in rt.view.images() if i.image_id == task.image_id), None)


async def _carry_on(rt: Runtime, server: Server) -> Server | None:
    image = _image_of(rt, server)
    source = image.spec.volume_source if image is not None else None
    if image is None or source is None or source.pvc is None:
        return await writer.apply(rt, server, lambda s: snapshot_steps.finished(s, "The image was deleted."))
    target = source.pvc
    ref = writer.ref_of(server)
    clone = next(
        (
            d
            for d in observe.observation(rt.view, server).data_volumes
            if d.metadata.name == target.name and d.metadata.namespace == target.namespace
        ),
        None,
    )
    if clone is None and server.status.task_state in (TaskState.IMAGE_SNAPSHOT, TaskState.IMAGE_BACKUP):
        await _create_clone(rt, server, image, target.namespace, target.name)
        await _set_image_status(rt, image, "saving")
        return await writer.apply(
            rt, server, lambda s: snapshot_steps.advanced(s, TaskState.IMAGE_PENDING_UPLOAD)
        )
    if clone is None:
        return server  # created; its watch event brings it here
    error = vm_rebuild.import_error([clone], [target.name])
    if error is not None:
        await _set_image_status(rt, image, "killed")
        return await writer.apply(rt, server, lambda s: snapshot_steps.finished(s, error))
    if clone.status.phase != cdi_models.DataVolumePhase.SUCCEEDED:
        return await writer.apply(rt, server, lambda s: snapshot_steps.advanced(s, TaskState.IMAGE_UPLOADING))
    await _set_image_status(rt, image, "active")
    await _rotate(rt, server, image)
    del ref
    return await writer.apply(rt, server, snapshot_steps.finished)


async def _create_clone(rt: Runtime, server: Server, image: Image, namespace: str, name: str) -> None:
    vm = rt.view.vm(writer.ref_of(server))
    root = disks.data_volume_name(server.status.vm_name or server.metadata.name, disks.ROOT_DISK)
    size = None
    if vm is not None:
        template = next((t for t in vm.vm.spec.data_volume_templates if t.metadata.name == root), None)
        if template is not None and template.spec.storage is not None:
            size = template.spec.storage.resources.requests.get("storage")
    body: dict[str, Any] = {
        "apiVersion": cdi_models.CDI_API_VERSION,
        "kind": cdi_models.DATA_VOLUME_KIND,
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {
                SERVER_LABEL: server.metadata.name,
                SERVER_NAMESPACE_LABEL: server.metadata.namespace or "",
            },
            "annotations": {SERVER_UID_ANNOTATION: server.server_id},
            "ownerReferences": [
                {
                    "apiVersion": API_VERSION,
                    "kind": "Image",
                    "name": image.metadata.name,
                    "uid": image.metadata.uid,
                }
            ],
        },
        "spec": {
            "source": {"pvc": {"namespace": server.metadata.namespace, "name": root}},
            "storage": {"resources": {"requests": {"storage": size}}} if size else {},
        },
    }
    for attempt in range(2):
        try:
            await rt.client.create(k8s.DATA_VOLUMES, body, namespace)
            return
        except k8s.AlreadyExists:
            return
        except k8s.NotFound:
            if attempt:
                raise
            ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
            with contextlib.suppress(k8s.AlreadyExists):
                await rt.client.create(k8s.NAMESPACES, ns)


async def _rotate(rt: Runtime, server: Server, image: Image) -> None:
    snapshot = server.spec.snapshot
    backup_type = image.spec.properties.get(snapshot_steps.BACKUP_TYPE)
    if snapshot is None or snapshot.rotation is None or backup_type is None:
        return
    for old in snapshot_steps.backups_to_delete(
        rt.view.images(),
        server_id=server.server_id,
        backup_type=backup_type,
        rotation=snapshot.rotation,
        newest=image.metadata.name,
    ):
        with contextlib.suppress(k8s.NotFound):
            await rt.client.delete(k8s.IMAGES, old.metadata.name)
