"""``openstack server rebuild --image X --wait`` (the unmodified CLI): the server comes back ACTIVE
with the new image, and its root DataVolume was re-created from that image."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from kubernetes import client

from kubenova.resources.base import GROUP, VERSION
from tests.api.test_server_support import create_image, delete_image, unique
from tests.clients.test_osc_servers import Cli
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.support.cluster import Cluster
from tests.support.storage import Storage

pytestmark = [pytest.mark.cluster, pytest.mark.clients]


def _root_dv(cluster: Cluster, server_id: str) -> dict[str, Any]:
    with cluster.connected() as api:
        listing = cast(
            dict[str, Any], client.CustomObjectsApi(api).list_cluster_custom_object(GROUP, VERSION, "servers")
        )
        server = next(s for s in listing["items"] if s["metadata"]["uid"] == server_id)
        dv = Storage(api, server["metadata"]["namespace"]).dv(f"{server['metadata']['name']}-root")
    assert dv is not None
    return dv


def test_openstack_server_rebuild_with_a_new_image(
    gateway: GatewayHandle, cluster: Cluster, operator: OperatorHandle, tmp_path: Path
) -> None:
    admin, member = Cli(gateway, "admin", tmp_path), Cli(gateway, "demo-member", tmp_path)
    flavor, vm = unique("osc.rb"), unique("rb")
    first_id, first = create_image(cluster, gateway)
    second_id, second = create_image(
        cluster, gateway, volumeSource={"http": {"url": "https://images.example/2.img"}}
    )
    server_id = flavor_id = ""
    try:
        flavor_id = admin.json("flavor", "create", "--ram", "64", "--vcpus", "1", "--disk", "1", flavor)["id"]
        server = member.json("server", "create", "--flavor", flavor, "--image", first, "--wait", vm)
        server_id = server["id"]
        old_dv = _root_dv(cluster, server_id)

        rebuilt = member.json("server", "rebuild", "--image", second, "--wait", vm)
        assert rebuilt["id"] == server_id
        shown = member.json("server", "show", vm)
        assert shown["status"] == "ACTIVE"
        assert second_id in str(shown["image"])
        assert first_id not in str(shown["image"])
        new_dv = _root_dv(cluster, server_id)
        assert new_dv["metadata"]["uid"] != old_dv["metadata"]["uid"]
        assert new_dv["spec"]["source"] == {"http": {"url": "https://images.example/2.img"}}
        events = [e["Action"] for e in member.json("server", "event", "list", vm)]
        assert events[0] == "rebuild"
    finally:
        with gateway.client("admin") as http:
            if server_id:
                http.delete(f"/compute/v2.1/servers/{server_id}")
            if flavor_id:
                http.delete(f"/compute/v2.1/flavors/{flavor_id}")
        delete_image(cluster, first)
        delete_image(cluster, second)


def test_openstack_server_image_create_makes_an_active_glance_image(
    gateway: GatewayHandle, cluster: Cluster, operator: OperatorHandle, tmp_path: Path
) -> None:
    admin, member = Cli(gateway, "admin", tmp_path), Cli(gateway, "demo-member", tmp_path)
    flavor, vm, snap = unique("osc.snap"), unique("snapvm"), unique("snap")
    image_id, image_name = create_image(cluster, gateway)
    server_id = flavor_id = snap_name = ""
    try:
        flavor_id = admin.json("flavor", "create", "--ram", "64", "--vcpus", "1", "--disk", "1", flavor)["id"]
        server_id = member.json("server", "create", "--flavor", flavor, "--image", image_name, "--wait", vm)[
            "id"
        ]
        made = member.json("server", "image", "create", "--name", snap, "--wait", vm)
        assert made["name"] == snap
        assert made["status"] == "active"
        listed = {i["Name"]: i for i in member.json("image", "list")}
        assert listed[snap]["Status"] == "active"
        shown = member.json("image", "show", snap)
        assert shown["properties"]["instance_uuid"] == server_id
        with cluster.connected() as api:
            found = client.CustomObjectsApi(api).list_cluster_custom_object(GROUP, VERSION, "images")
        snap_name = next(i["metadata"]["name"] for i in found["items"] if i["metadata"]["uid"] == made["id"])
        assert member.status(vm) == "ACTIVE"
    finally:
        with gateway.client("admin") as http:
            if server_id:
                http.delete(f"/compute/v2.1/servers/{server_id}")
            if flavor_id:
                http.delete(f"/compute/v2.1/flavors/{flavor_id}")
        delete_image(cluster, image_name)
        if snap_name:
            delete_image(cluster, snap_name)
    del image_id
