"""The administrator's host flows with the unmodified ``openstack`` CLI (docs/operator.md,
"Draining a host"):

- drain: ``compute service set --disable`` (the Node cordoned), then ``server migrate
  --live-migration --wait`` of every server on it, the scheduler choosing: every VMI runs on
  another Node, ``server list --host`` is empty, the hypervisor's usage is zero and the
  migrations are ``completed``;
- a dead host: ``compute service set --down`` (forced down), then ``server evacuate``: the
  server ACTIVE on another Node, its migration (type evacuation) ``done``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from tests.api.test_server_support import create_image, delete_image, unique
from tests.clients.test_osc_migrate import pinned
from tests.clients.test_osc_resize import vm_of
from tests.clients.test_osc_servers import Cli
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.clients]

V = ("--os-compute-api-version", "2.87")  # hypervisor usage figures are shown up to 2.87


def vmi_node(cluster: Cluster, server_id: str) -> str | None:
    vm = vm_of(cluster, server_id)
    with cluster.connected() as api:
        found: dict[str, Any] = client.CustomObjectsApi(api).get_namespaced_custom_object(
            "kubevirt.io",
            "v1",
            vm["metadata"]["namespace"],
            "virtualmachineinstances",
            vm["metadata"]["name"],
        )
    status = found.get("status") or {}
    return status.get("nodeName") if status.get("phase") == "Running" else None


def test_drain_a_host_then_evacuate_a_dead_one(
    gateway: GatewayHandle,
    cluster: Cluster,
    operator: OperatorHandle,
    managed_node: ManagedNodeFactory,
    tmp_path: Path,
) -> None:
    admin = Cli(gateway, "admin", tmp_path)
    host = managed_node(unique("drain"))
    wait_for(
        lambda: admin.json(*V, "compute", "service", "list", "--host", host),
        timeout=30,
        interval=1,
        message=f"gateway knows {host}",
    )
    flavor = unique("dr.tiny")
    image_id, image_name = create_image(cluster, gateway)
    ids: list[str] = []
    flavor_id = ""
    try:
        flavor_id = admin.json("flavor", "create", "--ram", "64", "--vcpus", "1", "--disk", "1", flavor)["id"]
        for name in (unique("drain-a"), unique("drain-b")):
            created = admin.json(
                "--os-compute-api-version", "2.74", "server", "create", "--flavor", flavor,
                "--image", image_name, "--host", host, "--wait", name,
            )  # fmt: skip
            ids.append(created["id"])
        assert {admin.json("server", "show", i)["OS-EXT-SRV-ATTR:host"] for i in ids} == {host}
        assert admin.json(*V, "hypervisor", "show", host)["vcpus_used"] == 2

        # Drain: disable the service, live-migrate every server off it (the scheduler chooses).
        admin.run(
            "compute", "service", "set", "--disable", "--disable-reason", "maintenance", host, "nova-compute"
        )
        on_host = admin.json("server", "list", "--all-projects", "--host", host)
        assert {s["ID"] for s in on_host} == set(ids)
        for server in on_host:
            admin.run("server", "migrate", "--live-migration", "--wait", server["ID"])
        for server_id in ids:
            shown = admin.json("server", "show", server_id)
            assert shown["status"] == "ACTIVE"
            assert shown["OS-EXT-SRV-ATTR:host"] != host
            assert vmi_node(cluster, server_id) == shown["OS-EXT-SRV-ATTR:host"]
            assert pinned(cluster, server_id) == shown["OS-EXT-SRV-ATTR:host"]
        assert admin.json("server", "list", "--all-projects", "--host", host) == []
        usage = admin.json(*V, "hypervisor", "show", host)
        assert (usage["vcpus_used"], usage["memory_mb_used"], usage["running_vms"]) == (0, 0, 0)
        rows = admin.json("server", "migration", "list", "--host", host, "--type", "live-migration")
        assert len(rows) == 2
        assert {r["Status"] for r in rows} == {"completed"}

        # A dead host: force its service down, evacuate its server.
        admin.run("compute", "service", "set", "--enable", host, "nova-compute")
        moved = admin.json(
            "--os-compute-api-version", "2.74", "server", "create", "--flavor", flavor,
            "--image", image_name, "--host", host, "--wait", unique("dead"),
        )  # fmt: skip
        ids.append(moved["id"])
        admin.run(
            "--os-compute-api-version", "2.11", "compute", "service", "set", "--down", host, "nova-compute"
        )
        # Without --wait: OSC 10.5 waits for 'ACTIVE' but compares it with the lower-cased status.
        admin.run("--os-compute-api-version", "2.29", "server", "evacuate", moved["id"])

        def evacuated() -> dict[str, Any] | None:
            server: dict[str, Any] = admin.json("server", "show", moved["id"])
            settled = server["status"] == "ACTIVE" and server["OS-EXT-STS:task_state"] is None
            return server if settled and server["OS-EXT-SRV-ATTR:host"] != host else None

        shown = wait_for(evacuated, timeout=90, interval=1, message="evacuated")
        assert shown is not None
        assert vmi_node(cluster, moved["id"]) == shown["OS-EXT-SRV-ATTR:host"]
        (row,) = admin.json("server", "migration", "list", "--server", moved["id"])
        assert (row["Status"], row["Source Compute"]) == ("done", host)
    finally:
        with gateway.client("admin") as http:
            for server_id in ids:
                http.delete(f"/compute/v2.1/servers/{server_id}")
            if flavor_id:
                http.delete(f"/compute/v2.1/flavors/{flavor_id}")
        delete_image(cluster, image_name)
        del image_id
