"""The guest, through the unmodified ``openstack`` CLI: ``openstack console log show`` (the serial
console log KubeVirt streams into the launcher pod's ``guest-console-log`` container) and
``openstack server set --password`` / ``--no-password`` (changePassword through the guest agent's
access-credential Secret; clearing the metadata-service password)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from kubernetes import client

from tests.api.test_server_support import create_image, delete_image, unique
from tests.clients.test_osc_servers import Cli
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

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


def test_openstack_server_set_password(
    gateway: GatewayHandle, cluster: Cluster, operator: OperatorHandle, tmp_path: Path
) -> None:
    admin, member = Cli(gateway, "admin", tmp_path), Cli(gateway, "demo-member", tmp_path)
    flavor, vm = unique("osc.pw"), unique("pw")
    _, image = create_image(cluster, gateway, properties={"hw_qemu_guest_agent": "yes"})
    server_id = flavor_id = ""
    try:
        flavor_id = admin.json("flavor", "create", "--ram", "64", "--vcpus", "1", "--disk", "1", flavor)["id"]
        server_id = member.json("server", "create", "--flavor", flavor, "--image", image, "--wait", vm)["id"]
        member.run("server", "set", "--password", "osc-Pass-1", vm)
        with cluster.connected() as api:
            listing = client.CustomObjectsApi(api).list_cluster_custom_object(
                "compute.kubenova.io", "v1alpha1", "servers"
            )
            server = next(s for s in listing["items"] if s["metadata"]["uid"] == server_id)
            secret = client.CoreV1Api(api).read_namespaced_secret(
                f"{server['status']['vmName']}-admin-password", server["metadata"]["namespace"]
            )
        assert base64.b64decode(secret.data["root"]).decode() == "osc-Pass-1"
        wait_for(
            lambda: member.json("server", "show", vm)["OS-EXT-STS:task_state"] is None,
            timeout=60,
            message="password change finished",
        )
        events = [e["Action"] for e in member.json("server", "event", "list", vm)]
        assert events[0] == "changePassword"
        assert member.json("server", "show", vm)["status"] == "ACTIVE"
        member.run("server", "set", "--no-password", vm)  # DELETE os-server-password: 204
    finally:
        with gateway.client("admin") as http:
            if server_id:
                http.delete(f"/compute/v2.1/servers/{server_id}")
            if flavor_id:
                http.delete(f"/compute/v2.1/flavors/{flavor_id}")
        delete_image(cluster, image)
