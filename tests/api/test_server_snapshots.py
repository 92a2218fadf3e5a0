"""``createImage`` and ``createBackup``: the image is in Glance at once (queued), goes active when the
operator's CDI clone of the root disk is done, is bootable, and backups rotate; the answers per
microversion (``image_id`` from 2.45, a ``Location`` before)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from kubenova.resources.base import GROUP, VERSION
from tests.api.test_server_support import LATEST, SERVERS, ServerFactory, boot, servers
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]
IMAGES = "/image/v2/images"


@pytest.fixture
def made_images(cluster: Cluster) -> Iterator[list[str]]:
    """Server ids whose snapshot images are deleted (as an admin would with kubectl) at the end."""
    server_ids: list[str] = []
    yield server_ids
    with cluster.connected() as api:
        custom = client.CustomObjectsApi(api)
        listing = cast(dict[str, Any], custom.list_cluster_custom_object(GROUP, VERSION, "images"))
        for image in listing["items"]:
            if image["spec"].get("properties", {}).get("instance_uuid") in server_ids:
                try:
                    custom.delete_cluster_custom_object(GROUP, VERSION, "images", image["metadata"]["name"])
                except ApiException as exc:
                    if exc.status != 404:
                        raise


def act(servers: ServerFactory, server_id: str, body: Any, *, version: str = LATEST) -> httpx.Response:
    with servers.gateway.client("demo-member", version=version) as http:
        return http.post(f"{SERVERS}/{server_id}/action", json=body)


def glance(servers: ServerFactory, image_id: str) -> httpx.Response:
    with servers.gateway.client("demo-member") as http:
        return http.get(f"{IMAGES}/{image_id}")


def wait_active(servers: ServerFactory, image_id: str) -> dict[str, Any]:
    def active() -> dict[str, Any] | None:
        response = glance(servers, image_id)
        body: dict[str, Any] = response.json()
        return body if response.status_code == 200 and body["status"] == "active" else None

    found: dict[str, Any] = wait_for(active, timeout=60, message=f"image {image_id} active")
    return found


def test_create_image_makes_a_bootable_private_image(servers: ServerFactory, made_images: list[str]) -> None:
    server = servers.active()
    server_id = server["id"]
    made_images.append(server_id)
    response = act(servers, server_id, {"createImage": {"name": "snap-1", "metadata": {"purpose": "test"}}})
    assert response.status_code == 202, response.text
    image_id = response.json()["image_id"]
    first = glance(servers, image_id).json()
    assert first["status"] in ("queued", "saving", "active")
    assert first["visibility"] == "private"
    image = wait_active(servers, image_id)
    assert (image["name"], image["instance_uuid"], image["image_type"], image["purpose"]) == (
        "snap-1",
        server_id,
        "snapshot",
        "test",
    )
    assert image["base_image_ref"] == servers.boot.image_id
    with servers.gateway.client("demo-member") as http:
        assert image_id in {i["id"] for i in http.get(IMAGES).json()["images"]}
    with servers.gateway.client("alt-member") as http:  # private to the project
        assert image_id not in {i["id"] for i in http.get(IMAGES).json()["images"]}
    done = servers.wait_status(server_id, "ACTIVE")
    assert done["OS-EXT-STS:task_state"] is None
    with servers.gateway.client("admin") as http:
        actions = http.get(f"{SERVERS}/{server_id}/os-instance-actions").json()["instanceActions"]
        assert actions[0]["action"] == "createImage"
        detail = http.get(f"{SERVERS}/{server_id}/os-instance-actions/{actions[0]['request_id']}").json()
    assert [(e["event"], e["result"]) for e in detail["instanceAction"]["events"]] == [
        ("compute_snapshot_instance", "Success")
    ]
    # Bootable: a server from the snapshot.
    booted = servers.active(imageRef=image_id, block_device_mapping_v2=None)
    assert booted["image"]["id"] == image_id


def test_create_backup_rotates_and_old_versions_answer_with_a_location(
    servers: ServerFactory, made_images: list[str]
) -> None:
    server_id = servers.active()["id"]
    made_images.append(server_id)
    backup = {"name": "b1", "backup_type": "daily", "rotation": 1}
    first = act(servers, server_id, {"createBackup": backup})
    assert first.status_code == 202, first.text
    first_id = first.json()["image_id"]
    assert wait_active(servers, first_id)["backup_type"] == "daily"
    servers.wait_status(server_id, "ACTIVE")
    second = act(servers, server_id, {"createBackup": {**backup, "name": "b2"}}, version="2.1")
    assert second.status_code == 202, second.text
    location = second.headers["Location"]
    assert "/images/" in location
    second_id = location.rsplit("/", 1)[-1]
    wait_active(servers, second_id)
    wait_for(
        lambda: glance(servers, first_id).status_code == 404, timeout=30, message="oldest backup rotated away"
    )
    servers.wait_status(server_id, "ACTIVE")
    # Nova's schema: rotation is a non-negative integer; a name is required.
    bad = act(servers, server_id, {"createBackup": {**backup, "rotation": -1}})
    assert bad.status_code == 400
    assert act(servers, server_id, {"createImage": {}}).status_code == 400
