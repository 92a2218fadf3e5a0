"""``openstack server rescue`` / ``openstack server unrescue`` (the unmodified CLI, which has no
``--wait`` for them): what the CLI sends (``{"rescue": {"adminPass": ..., "rescue_image_ref":
<id>}}``, ``{"unrescue": null}``), the server reaching RESCUE with its VM booting the rescue
DataVolume first, and ACTIVE again with its own disks after the unrescue."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, cast

import pytest
from kubernetes import client

from kubenova.resources.base import GROUP, VERSION
from tests.api.test_server_support import create_image, delete_image, unique
from tests.clients.test_osc_servers import OPENSTACK, Cli
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.support.cluster import Cluster
from tests.support.storage import Storage
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.clients]
RESCUE_URL = "https://images.example/osc-rescue.img"


def _vm_and_rescue_dv(cluster: Cluster, server_id: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    with cluster.connected() as api:
        custom = client.CustomObjectsApi(api)
        listing = cast(dict[str, Any], custom.list_cluster_custom_object(GROUP, VERSION, "servers"))
        server = next(s for s in listing["items"] if s["metadata"]["uid"] == server_id)
        name, namespace = server["metadata"]["name"], server["metadata"]["namespace"]
        vm = cast(
            dict[str, Any],
            custom.get_namespaced_custom_object("kubevirt.io", "v1", namespace, "virtualmachines", name),
        )
        return vm, Storage(api, namespace).dv(f"{name}-rescue")


def _disks(vm: dict[str, Any]) -> list[tuple[str, int | None]]:
    devices = vm["spec"]["template"]["spec"]["domain"]["devices"]
    return [(d["name"], d.get("bootOrder")) for d in devices["disks"]]


def _sent(cli: Cli, *args: str) -> list[Any]:
    """Run ``openstack --debug ARGS``; the JSON bodies of its POSTs to server actions."""
    done = subprocess.run(
        [str(OPENSTACK), "--debug", *args],
        env=cli.env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    bodies = []
    for line in done.stderr.splitlines():
        if line.startswith("REQ: curl") and "-X POST" in line and "/action" in line and " -d '" in line:
            bodies.append(json.loads(line.split(" -d '", 1)[1].rsplit("'", 1)[0]))
    return bodies


def test_openstack_server_rescue_and_unrescue(
    gateway: GatewayHandle, cluster: Cluster, operator: OperatorHandle, tmp_path: Path
) -> None:
    admin, member = Cli(gateway, "admin", tmp_path), Cli(gateway, "demo-member", tmp_path)
    flavor, vm_name = unique("osc.rs"), unique("rs")
    _, own = create_image(cluster, gateway)
    rescue_id, rescue = create_image(cluster, gateway, volumeSource={"http": {"url": RESCUE_URL}})
    server_id = flavor_id = ""
    try:
        flavor_id = admin.json("flavor", "create", "--ram", "64", "--vcpus", "1", "--disk", "1", flavor)["id"]
        server_id = member.json("server", "create", "--flavor", flavor, "--image", own, "--wait", vm_name)[
            "id"
        ]

        sent = _sent(member, "server", "rescue", "--image", rescue, "--password", "s3cret", vm_name)
        assert sent == [{"rescue": {"adminPass": "s3cret", "rescue_image_ref": rescue_id}}]
        wait_for(lambda: member.status(vm_name) == "RESCUE", timeout=90, message="RESCUE")
        vm, rescue_dv = _vm_and_rescue_dv(cluster, server_id)
        assert _disks(vm)[:2] == [("rescuedisk", 1), ("rootdisk", None)]
        assert rescue_dv is not None
        assert rescue_dv["spec"]["source"] == {"http": {"url": RESCUE_URL}}

        assert _sent(member, "server", "unrescue", vm_name) == [{"unrescue": None}]
        wait_for(lambda: member.status(vm_name) == "ACTIVE", timeout=90, message="ACTIVE")
        vm, rescue_dv = _vm_and_rescue_dv(cluster, server_id)
        assert _disks(vm)[0] == ("rootdisk", 1)
        assert "rescuedisk" not in [d for d, _ in _disks(vm)]
        assert rescue_dv is None
        events = [e["Action"] for e in member.json("server", "event", "list", vm_name)]
        assert events[:2] == ["unrescue", "rescue"]
    finally:
        with gateway.client("admin") as http:
            if server_id:
                http.delete(f"/compute/v2.1/servers/{server_id}")
            if flavor_id:
                http.delete(f"/compute/v2.1/flavors/{flavor_id}")
        delete_image(cluster, own)
        delete_image(cluster, rescue)
