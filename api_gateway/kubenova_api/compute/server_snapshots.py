"""``createImage`` and ``createBackup`` (Nova's ``compute/api.py`` ``snapshot``/``backup``): the
row's checks, then the Glance image is created at once (queued; Nova's API creates it before the
compute host uploads), an Image object whose ``volumeSource.pvc`` is where the operator clones the
root disk (in the image namespace), owned by the project and private, with Nova's properties
(``instance_uuid``, ``image_type``, ``base_image_ref``, ``backup_type``); then one conditional patch
of the Server: ``spec.snapshot`` (request id, the Image, backup type and rotation) and the inbox
entry. The answer names the image (2.45: ``{"image_id"}``; before: a ``Location`` header).
"""

from __future__ import annotations

import secrets
from typing import Any

from kubenova.domain import actions, flavors
from kubenova.resources import Server
from kubenova.resources.base import API_VERSION
from kubenova.resources.image import Image
from kubenova_api.compute import guards, inbox
from kubenova_api.context import RequestContext
from kubenova_api.schemas.server_actions import CreateBackup, CreateImage
from kubenova_api.store import Store


def _image_body(
    server: Server, request: CreateImage, *, project_id: str, namespace: str, backup: CreateBackup | None
) -> dict[str, Any]:
    name = f"snapshot-{secrets.token_hex(8)}"
    base = server.status.image_id or ""
    flavor = server.status.flavor
    properties = {
        **request.metadata,
        "instance_uuid": server.server_id,
        "image_type": "backup" if backup is not None else "snapshot",
        "base_image_ref": base,
        "user_id": server.spec.user_id or "",
    }
    if backup is not None:
        properties["backup_type"] = backup.backup_type
    spec: dict[str, Any] = {
        "name": request.name,
        "volumeSource": {"pvc": {"namespace": namespace, "name": name}},
        "visibility": "private",
        "owner": project_id,
        "diskFormat": "raw",
        "properties": properties,
    }
    if flavor is not None:
        spec["minDisk"] = flavor.disk
        spec["minRam"] = 0
    return {"apiVersion": API_VERSION, "kind": "Image", "metadata": {"name": name}, "spec": spec}


async def snapshot(
    store: Store,
    ctx: RequestContext,
    server: Server,
    request: CreateImage,
    *,
    project_id: str,
    image_namespace: str,
) -> Image:
    """Check, create the image, ask the operator to fill it; the image."""
    backup = request if isinstance(request, CreateBackup) else None
    row = actions.SERVER_ACTIONS["createBackup" if backup is not None else "createImage"]
    guards.check(row, ctx, server)
    body = _image_body(server, request, project_id=project_id, namespace=image_namespace, backup=backup)
    base = store.images.find(server.status.image_id or "")
    if base is not None and server.status.flavor is not None:
        body["spec"]["virtualSize"] = flavors.root_disk_bytes(server.status.flavor, base)
    image = await store.images.crs.create(body, what=f"Image {request.name}")
    entry = inbox.new_request(ctx, row.name)
    wanted: dict[str, Any] = {"requestId": ctx.request_id, "image": image.metadata.name}
    if backup is not None:
        wanted |= {"backupType": backup.backup_type, "rotation": backup.rotation}

    def build(current: Server) -> dict[str, Any]:
        guards.check(row, ctx, current)
        return {"spec": {"snapshot": wanted}, "metadata": {"annotations": inbox.appended(current, entry)}}

    await store.servers.modify(server, build)
    return image
