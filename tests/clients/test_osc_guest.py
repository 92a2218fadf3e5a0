"""The guest, through the unmodified ``openstack`` CLI: ``openstack console log show`` (the serial
console log KubeVirt streams into the launcher pod's ``guest-console-log`` container)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.test_server_support import create_image, delete_image, unique
from tests.clients.test_osc_servers import Cli
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.support.cluster import Cluster

pytestmark = [pytest.mark.cluster, pytest.mark.clients]


def test_openstack_console_log_show(
    gateway: GatewayHandle, cluster: Cluster, operator: OperatorHandle, tmp_path: Path
) -> None:
    admin, member = Cli(gateway, "admin", tmp_path), Cli(gateway, "demo-member", tmp_path)
    flavor, vm = unique("osc.con"), unique("con")
    _, image = create_image(cluster, gateway)
    server_id = flavor_id = ""
    try:
        flavor_id = admin.json("flavor", "create", "--ram", "64", "--vcpus", "1", "--disk", "1", flavor)["id"]
        server_id = member.json("server", "create", "--flavor", flavor, "--image", image, "--wait", vm)["id"]
        whole = member.run("console", "log", "show", vm)
        assert "Linux version" in whole
        assert f"Set hostname to <{vm}>." in whole
        assert whole.rstrip().endswith(f"{vm} login:")
        tail = member.run("console", "log", "show", "--lines", "1", vm)
        assert tail.strip() == f"{vm} login:"
    finally:
        with gateway.client("admin") as http:
            if server_id:
                http.delete(f"/compute/v2.1/servers/{server_id}")
            if flavor_id:
                http.delete(f"/compute/v2.1/flavors/{flavor_id}")
        delete_image(cluster, image)
