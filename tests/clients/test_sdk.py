"""openstacksdk as a library: the compute proxy (``conn.compute``) and the cloud layer
(``conn.create_server(..., wait=True)``) driving servers through the gateway."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack
import pytest

from tests.api.test_server_support import Boot, boot, unique
from tests.fixtures.gateway import CLOUD_NAME, GatewayHandle
from tests.fixtures.operator import OperatorHandle

pytestmark = [pytest.mark.cluster, pytest.mark.clients]
__all__ = ["boot"]

TIMEOUT = 120


@pytest.fixture
def conn(gateway: GatewayHandle, operator: OperatorHandle, tmp_path: Path) -> Iterator[Any]:
    clouds = gateway.clouds_yaml(tmp_path / "clouds.yaml", user="demo-member")
    config = openstack.config.OpenStackConfig(config_files=[str(clouds)])
    connection = openstack.connection.Connection(config=config.get_one(CLOUD_NAME))
    try:
        yield connection
    finally:
        connection.close()


def test_compute_proxy_lifecycle(conn: Any, boot: Boot) -> None:
    name = unique("sdk")
    server = conn.compute.create_server(
        name=name, image_id=boot.image_id, flavor_id=boot.flavor_id, networks=[{"uuid": boot.network_id}]
    )
    try:
        server = conn.compute.wait_for_server(server, status="ACTIVE", wait=TIMEOUT, interval=1)
        assert server.name == name
        assert server.power_state == 1
        assert server.addresses["private"][0]["version"] == 4
        assert server.flavor.original_name == boot.flavor_id
        assert [s.id for s in conn.compute.servers(name=f"^{name}$")] == [server.id]
        assert server.id in {s.id for s in conn.compute.servers(details=False)}

        conn.compute.stop_server(server)
        server = conn.compute.wait_for_server(server, status="SHUTOFF", wait=TIMEOUT, interval=1)
        assert server.vm_state == "stopped"
        conn.compute.start_server(server)
        server = conn.compute.wait_for_server(server, status="ACTIVE", wait=TIMEOUT, interval=1)

        actions = [a.action for a in conn.compute.server_actions(server)]
        assert actions[:3] == ["start", "stop", "create"]
    finally:
        conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=TIMEOUT, interval=1)
    assert conn.compute.find_server(name) is None


def test_cloud_layer_create_and_delete(conn: Any, boot: Boot) -> None:
    name = unique("sdk-cloud")
    server = conn.create_server(name, image=boot.image_id, flavor=boot.flavor_id, wait=True, timeout=TIMEOUT)
    try:
        assert server.status == "ACTIVE"
        assert server.private_v4  # the cloud layer found the address on the private network
        assert conn.get_server(name).id == server.id
    finally:
        assert conn.delete_server(name, wait=True, timeout=TIMEOUT)
    assert conn.get_server(name) is None
