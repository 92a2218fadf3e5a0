"""The unmodified ``openstack`` CLI resizing a server: ``server resize --flavor X --wait`` reaches
VERIFY_RESIZE with the VirtualMachine reshaped, ``server resize confirm`` keeps it, ``server resize
revert`` restores the old flavor; Nova's 400s for the same flavor, an unknown one and the wrong
state come back as the CLI prints them."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from tests.api.test_server_support import create_image, delete_image, unique
from tests.clients.test_osc_servers import OPENSTACK, Cli
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.clients]


def failing(cli: Cli, *args: str) -> str:
    done = subprocess.run(
        [str(OPENSTACK), *args], env=cli.env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode != 0, f"openstack {' '.join(args)} should have failed"
    return done.stderr


def vm_of(cluster: Cluster, server_id: str) -> dict[str, Any]:
    with cluster.connected() as api:
        custom = client.CustomObjectsApi(api)
        servers = custom.list_cluster_custom_object("compute.kubenova.io", "v1alpha1", "servers")["items"]
        server = next(s for s in servers if s["metadata"]["uid"] == server_id)
        namespace, name = server["metadata"]["namespace"], server["metadata"]["name"]
        vm: dict[str, Any] = custom.get_namespaced_custom_object(
            "kubevirt.io", "v1", namespace, "virtualmachines", name
        )
        return vm


def cores(cluster: Cluster, server_id: str) -> int:
    return int(vm_of(cluster, server_id)["spec"]["template"]["spec"]["domain"]["cpu"]["cores"])


def test_resize_confirm_and_revert_with_the_openstack_cli(
    gateway: GatewayHandle, cluster: Cluster, operator: OperatorHandle, tmp_path: Path
) -> None:
    admin = Cli(gateway, "admin", tmp_path)
    member = Cli(gateway, "demo-member", tmp_path)
    small, big, bigger, vm = unique("rs.small"), unique("rs.big"), unique("rs.bigger"), unique("rsz")
    image_id, image_name = create_image(cluster, gateway)
    flavor_ids: list[str] = []
    server_id = ""
    try:
        for name, vcpus, disk in ((small, "1", "1"), (big, "2", "2"), (bigger, "3", "2")):
            flavor_ids.append(
                admin.json("flavor", "create", "--ram", "64", "--vcpus", vcpus, "--disk", disk, name)["id"]
            )
        server = member.json("server", "create", "--flavor", small, "--image", image_name, "--wait", vm)
        server_id = server["id"]
        assert cores(cluster, server_id) == 1

        assert "Resize requires a flavor change." in failing(
            member, "server", "resize", "--flavor", small, vm
        )
        assert "Cannot 'confirmResize' instance" in failing(member, "server", "resize", "confirm", vm)

        member.run("server", "resize", "--flavor", big, "--wait", vm)
        resized = member.json("server", "show", vm)
        assert resized["status"] == "VERIFY_RESIZE"
        assert resized["flavor"]["original_name"] == big
        assert cores(cluster, server_id) == 2
        member.run("server", "resize", "confirm", vm)
        wait_for(lambda: member.status(vm) == "ACTIVE", timeout=90, interval=1, message=f"{vm} ACTIVE")
        assert member.json("server", "show", vm)["flavor"]["original_name"] == big

        member.run("server", "resize", "--flavor", bigger, "--wait", vm)
        assert member.status(vm) == "VERIFY_RESIZE"
        assert cores(cluster, server_id) == 3
        member.run("server", "resize", "revert", vm)
        wait_for(lambda: member.status(vm) == "ACTIVE", timeout=90, interval=1, message=f"{vm} ACTIVE")
        reverted = member.json("server", "show", vm)
        assert reverted["flavor"]["original_name"] == big
        assert cores(cluster, server_id) == 2

        events = [e["Action"] for e in member.json("server", "event", "list", vm)]
        assert events[:4] == ["revertResize", "resize", "confirmResize", "resize"]
    finally:
        with gateway.client("admin") as http:
            if server_id:
                http.delete(f"/compute/v2.1/servers/{server_id}")
            for flavor_id in flavor_ids:
                http.delete(f"/compute/v2.1/flavors/{flavor_id}")
        delete_image(cluster, image_name)
        del image_id
