"""python-novaclient as a library driving servers.

``client.Client("2.latest", ...)`` is refused by the library itself ("The version should be
explicit, not latest"): "2.latest" is resolved the way the ``nova`` shell resolves it,
``api_versions.discover_version`` against the gateway's version document, then a client is made
at the version found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openstack
import pytest
from novaclient import api_versions
from novaclient import client as novaclient

from tests.api.test_server_support import Boot, boot, unique
from tests.fixtures.gateway import CLOUD_NAME, GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.clients]
__all__ = ["boot"]

TIMEOUT = 120


def _nova(gateway: GatewayHandle, tmp_path: Path) -> Any:
    clouds = gateway.clouds_yaml(tmp_path / "clouds.yaml", user="demo-member")
    config = openstack.config.OpenStackConfig(config_files=[str(clouds)])
    session = openstack.connection.Connection(config=config.get_one(CLOUD_NAME)).session
    probe = novaclient.Client("2.1", session=session)
    version = api_versions.discover_version(probe, api_versions.APIVersion("2.latest"))
    return novaclient.Client(version, session=session)


def _status(nova: Any, server_id: str, wanted: str) -> Any:
    def reached() -> Any:
        server = nova.servers.get(server_id)
        return (
            server if server.status == wanted and getattr(server, "OS-EXT-STS:task_state") is None else None
        )

    return wait_for(reached, timeout=TIMEOUT, interval=1, message=f"server {server_id} {wanted}")


def test_novaclient_lifecycle(
    gateway: GatewayHandle, operator: OperatorHandle, boot: Boot, tmp_path: Path
) -> None:
    nova = _nova(gateway, tmp_path)
    # novaclient negotiates min(its newest, the server's newest): 2.96 against kubenova's 2.104.
    assert nova.api_version.get_string() == "2.96"
    name = unique("nova")
    server = nova.servers.create(name, image=boot.image_id, flavor=boot.flavor_id, nics="auto")
    try:
        active = _status(nova, server.id, "ACTIVE")
        assert active.name == name
        assert active.flavor["original_name"] == boot.flavor_id
        assert active.pinned_availability_zone is None  # a 2.96 field
        assert [s.id for s in nova.servers.list(search_opts={"name": f"^{name}$"})] == [server.id]
        nova.servers.stop(server)
        assert _status(nova, server.id, "SHUTOFF").to_dict()["OS-EXT-STS:power_state"] == 4
        nova.servers.start(server)
        _status(nova, server.id, "ACTIVE")
    finally:
        nova.servers.delete(server)
    wait_for(
        lambda: not nova.servers.list(search_opts={"name": f"^{name}$"}),
        timeout=TIMEOUT,
        interval=1,
        message=f"{name} deleted",
    )
