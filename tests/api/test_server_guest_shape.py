"""``POST /servers`` refuses, as Nova's API does (400), an image whose properties contradict the
flavor's extra specs (here: a page size the flavor does not allow); nothing is created."""

from __future__ import annotations

import pytest

from tests.api.test_server_support import ServerFactory, boot, create_image, delete_image, servers
from tests.fixtures.gateway import GatewayHandle
from tests.support.cluster import Cluster

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]


def test_create_refuses_an_image_page_size_the_flavor_does_not_allow(
    servers: ServerFactory, cluster: Cluster, gateway: GatewayHandle
) -> None:
    image_id, name = create_image(cluster, gateway, properties={"hw_mem_page_size": "2MB"})
    try:
        body = servers.body(imageRef=image_id)
        body["server"]["block_device_mapping_v2"][0]["uuid"] = image_id
        response = servers.post(body=body)
        assert response.status_code == 400, response.text
        assert response.json()["badRequest"]["message"] == "Page size 2MB forbidden against '<empty>'"
        assert servers.created == []
    finally:
        delete_image(cluster, name)
