"""The unmodified ``openstack`` CLI shelving a server: ``server shelve --wait`` (SHELVED, the
VirtualMachine halted on its host), ``server unshelve --wait`` (ACTIVE again), ``server shelve
--offload --wait`` as admin (shelve, then the CLI's shelveOffload: SHELVED_OFFLOADED, no host, the
VM unpinned) and ``server unshelve --host --wait`` at 2.91 (ACTIVE on that host, the VMI running
there). Run with ``KUBENOVA_SHELVED_OFFLOAD_TIME=-1`` so the shelved state lasts until offloaded.
(The CLI skips servers already shelved, and its ``unshelve`` skips servers that are not.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from tests.api.test_server_support import create_image, delete_image, unique
from tests.clients.test_osc_resize import vm_of
from tests.clients.test_osc_servers import Cli
from tests.fixtures.gateway import GatewayHandle
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.clients]
HOSTNAME = "kubernetes.io/hostname"


def vmi_node(cluster: Cluster, server_id: str) -> str | None:
    vm = vm_of(cluster, server_id)
    namespace, name = vm["metadata"]["namespace"], vm["metadata"]["name"]
    with cluster.connected() as api:
        try:
            vmi: dict[str, Any] = client.CustomObjectsApi(api).get_namespaced_custom_object(
                "kubevirt.io", "v1", namespace, "virtualmachineinstances", name
            )
        except client.ApiException as exc:
            if exc.status == 404:
                return None
            raise
    status = vmi.get("status") or {}
    return str(status.get("nodeName")) if status.get("phase") == "Running" else None


def test_shelve_offload_and_unshelve_with_the_openstack_cli(
    gateway: GatewayHandle, cluster: Cluster, never_offload: None, tmp_path: Path
) -> None:
    admin = Cli(gateway, "admin", tmp_path)
    member = Cli(gateway, "demo-member", tmp_path)
    flavor, name = unique("shv.cli"), unique("shv")
    _, image_name = create_image(cluster, gateway)
    flavor_id = server_id = ""
    try:
        flavor_id = admin.json("flavor", "create", "--ram", "64", "--vcpus", "1", "--disk", "1", flavor)["id"]
        created = member.json("server", "create", "--flavor", flavor, "--image", image_name, "--wait", name)
        server_id = created["id"]
        host = admin.json("server", "show", server_id)["OS-EXT-SRV-ATTR:host"]

        member.run("server", "shelve", "--wait", name)
        shelved = admin.json("server", "show", server_id)
        assert (shelved["status"], shelved["OS-EXT-SRV-ATTR:host"]) == ("SHELVED", host)
        vm = vm_of(cluster, server_id)
        assert vm["spec"]["runStrategy"] == "Halted"
        assert vm["spec"]["template"]["spec"]["nodeSelector"][HOSTNAME] == host
        assert vmi_node(cluster, server_id) is None

        member.run("server", "unshelve", "--wait", name)
        assert member.status(name) == "ACTIVE"
        wait_for(lambda: vmi_node(cluster, server_id) == host, timeout=30, message="VMI running again")

        # --offload: shelve, wait for SHELVED, then shelveOffload (admin only).
        admin.run("server", "shelve", "--offload", "--wait", server_id)
        offloaded = admin.json("server", "show", server_id)
        assert (offloaded["status"], offloaded["OS-EXT-SRV-ATTR:host"]) == ("SHELVED_OFFLOADED", None)
        pinning = vm_of(cluster, server_id)["spec"]["template"]["spec"].get("nodeSelector") or {}
        assert HOSTNAME not in pinning
        actions = [a["Action"] for a in member.json("server", "event", "list", name)]
        assert {"shelve", "unshelve", "shelveOffload"} <= set(actions)

        version = ("--os-compute-api-version", "2.91")
        admin.run(*version, "server", "unshelve", "--host", host, "--wait", server_id)
        back = admin.json("server", "show", server_id)
        assert (back["status"], back["OS-EXT-SRV-ATTR:host"]) == ("ACTIVE", host)
        wait_for(lambda: vmi_node(cluster, server_id) == host, timeout=30, message="VMI running on its host")
    finally:
        if server_id:
            admin.run("server", "delete", "--wait", server_id)
        if flavor_id:
            admin.run("flavor", "delete", flavor_id)
        delete_image(cluster, image_name)
