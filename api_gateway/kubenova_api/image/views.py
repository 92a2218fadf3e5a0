"""Glance v2 image and version documents."""

from __future__ import annotations

from typing import Any

from kubenova.domain import image_status
from kubenova.resources import Image
from kubenova_api.urls import PublicUrls

GLANCE_VERSIONS = ("2.16", "2.15", "2.9", "2.0")


def versions(urls: PublicUrls) -> dict[str, Any]:
    values = [
        {
            "id": f"v{v}",
            "status": "CURRENT" if i == 0 else "SUPPORTED",
            "links": [{"rel": "self", "href": urls.image("v2") + "/"}],
        }
        for i, v in enumerate(GLANCE_VERSIONS)
    ]
    return {"versions": values}


def status_of(img: Image) -> str:
    """Glance status (``kubenova.domain.image_status``)."""
    return image_status.glance_status(img)


def image(img: Image) -> dict[str, Any]:
    spec = img.spec
    image_id = img.image_id
    created = img.metadata.creation_timestamp
    body: dict[str, Any] = {
        # free-form properties go first so the standard fields win on a clash
        **spec.properties,
        "id": image_id,
        "name": img.display_name,
        "status": status_of(img),
        "visibility": spec.visibility,
        "container_format": spec.container_format,
        "disk_format": spec.disk_format,
        "min_disk": spec.min_disk,
        "min_ram": spec.min_ram,
        "size": None,
        "virtual_size": spec.virtual_size,
        "checksum": None,
        "os_hash_algo": None,
        "os_hash_value": None,
        "owner": spec.owner,
        "protected": spec.protected,
        "os_hidden": False,
        "tags": [],
        "created_at": created,
        "updated_at": created,
        "self": f"/v2/images/{image_id}",
        "file": f"/v2/images/{image_id}/file",
        "schema": "/v2/schemas/image",
    }
    return body
