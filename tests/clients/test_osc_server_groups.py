"""``openstack server group create --policy anti-affinity``, ``openstack server create --hint
group=<id>`` and ``openstack server group show/list/delete`` (the unmodified CLI): the members are
listed, and the two members run on different Nodes (their VMIs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from kubernetes import client

from tests.api.test_server_support import create_image, delete_image, unique
from tests.clients.test_osc_servers import Cli
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.support.cluster import Cluster

pytestmark = [pytest.mark.cluster, pytest.mark.clients]


def _vmi_node(cluster: Cluster, server_id: str) -> str:
    with cluster.connected() as api:
        custom = client.CustomObjectsApi(api)
        listing = cast(
            dict[str, Any], custom.list_cluster_custom_object("compute.kubenova.io", "v1alpha1", "servers")
        )
        server = next(s for s in listing["items"] if s["metadata"]["uid"] == server_id)
        meta = server["metadata"]
        vmi = cast(
            dict[str, Any],
            custom.get_namespaced_custom_object(
                "kubevirt.io", "v1", meta["namespace"], "virtualmachineinstances", meta["name"]
            ),
        )
    return str(vmi["status"]["nodeName"])


def test_openstack_server_group_anti_affinity(
    gateway: GatewayHandle, cluster: Cluster, operator: OperatorHandle, tmp_path: Path
) -> None:
    admin, member = Cli(gateway, "admin", tmp_path), Cli(gateway, "demo-member", tmp_path)
    flavor, name = unique("osc.sg"), unique("g1")
    image_id, image_name = create_image(cluster, gateway)
    flavor_id = group_id = ""
    server_ids: list[str] = []
    try:
        flavor_id = admin.json("flavor", "create", "--ram", "64", "--vcpus", "1", "--disk", "1", flavor)["id"]
        group = member.json("server", "group", "create", "--policy", "anti-affinity", name)
        group_id = group["id"]
        assert group["policy"] == "anti-affinity"
        for vm in (unique("sgvm"), unique("sgvm")):
            created = member.json(
                "server",
                "create",
                "--flavor",
                flavor,
                "--image",
                image_name,
                "--hint",
                f"group={group_id}",
                "--wait",
                vm,
            )
            server_ids.append(created["id"])
            assert created["status"] == "ACTIVE"
        shown = member.json("server", "group", "show", name)  # by name, as the CLI's functional tests do
        assert (shown["id"], shown["name"]) == (group_id, name)
        assert sorted(
            shown["members"].split(", ") if isinstance(shown["members"], str) else shown["members"]
        ) == sorted(server_ids)
        listed = member.json("server", "group", "list", "--long")
        assert any(g["ID"] == group_id and g["Policy"] == "anti-affinity" for g in listed)
        server = member.json("server", "show", server_ids[0])
        assert group_id in str(server.get("server_groups"))
        assert _vmi_node(cluster, server_ids[0]) != _vmi_node(cluster, server_ids[1])
    finally:
        with gateway.client("admin") as http:
            for server_id in server_ids:
                http.delete(f"/compute/v2.1/servers/{server_id}")
            if flavor_id:
                http.delete(f"/compute/v2.1/flavors/{flavor_id}")
        if group_id:
            member.run("server", "group", "delete", name)
        delete_image(cluster, image_name)
    assert image_id
