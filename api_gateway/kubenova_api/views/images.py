"""Nova's image proxy views (``nova/api/openstack/compute/views/images.py``): ``basic`` (id,
name, links) and ``detail`` (minRam, minDisk, metadata = the Glance properties, created/updated,
status and progress from the Glance status, ``OS-EXT-IMG-SIZE:size``, the server an image was
made of, ``OS-DCF:diskConfig`` from ``auto_disk_config``). Links: versioned self, bookmark and
the Glance ``alternate``."""

from __future__ import annotations

from typing import Any

from kubenova.domain import image_status
from kubenova.resources import Image
from kubenova_api.urls import PublicUrls
from kubenova_api.views.server_fields import isotime

COLLECTION = "images"
_TRUE = ("1", "t", "true", "on", "y", "yes")


def _links(image_id: str, urls: PublicUrls) -> list[dict[str, str]]:
    return [
        *urls.self_and_bookmark(COLLECTION, image_id),
        {
            "rel": "alternate",
            "type": "application/vnd.openstack.image",
            "href": urls.image(COLLECTION, image_id),
        },
    ]


def basic(image: Image, urls: PublicUrls) -> dict[str, Any]:
    return {"id": image.image_id, "name": image.display_name, "links": _links(image.image_id, urls)}


def detail(image: Image, urls: PublicUrls) -> dict[str, Any]:
    spec = image.spec
    glance = image_status.glance_status(image)
    created = isotime(image.metadata.creation_timestamp)
    body: dict[str, Any] = {
        "id": image.image_id,
        "name": image.display_name,
        "minRam": spec.min_ram,
        "minDisk": spec.min_disk,
        "metadata": dict(spec.properties),
        "created": created,
        "updated": created,
        "status": image_status.nova_status(glance),
        "progress": image_status.nova_progress(glance),
        "OS-EXT-IMG-SIZE:size": None,  # Glance's size: no image file is stored (see /image/v2)
        "links": _links(image.image_id, urls),
    }
    server_id = spec.properties.get("instance_uuid")
    if server_id is not None:
        body["server"] = {"id": server_id, "links": urls.self_and_bookmark("servers", server_id)}
    auto_disk_config = spec.properties.get("auto_disk_config")
    if auto_disk_config is not None:
        body["OS-DCF:diskConfig"] = "AUTO" if auto_disk_config.strip().lower() in _TRUE else "MANUAL"
    return body
