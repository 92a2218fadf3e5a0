"""openstacksdk driving the in-place operations through the gateway, checked on the KubeVirt VMI:
pause/unpause (the VMI's Paused condition), SOFT reboot (same VMI, the guest restarted) and HARD
reboot (a new VMI), suspend (accepted, recorded as failed), resetState (admin), trigger_crash_dump
(refused), diagnostics (admin)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack
import pytest
from kubernetes import client

from tests.api.test_server_support import Boot, boot, unique
from tests.fixtures.gateway import CLOUD_NAME, GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.clients]
__all__ = ["boot"]

TIMEOUT = 120


def connect(gateway: GatewayHandle, path: Path, user: str) -> Any:
    clouds = gateway.clouds_yaml(path / f"clouds-{user}.yaml", user=user)
    config = openstack.config.OpenStackConfig(config_files=[str(clouds)])
    return openstack.connection.Connection(config=config.get_one(CLOUD_NAME))


@pytest.fixture
def conns(gateway: GatewayHandle, operator: OperatorHandle, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    member, admin = connect(gateway, tmp_path, "demo-member"), connect(gateway, tmp_path, "admin")
    try:
        yield member, admin
    finally:
        member.close()
        admin.close()


class KubeVirtView:
    """The VMI behind a Nova server id, read from the cluster."""

    def __init__(self, api: client.ApiClient) -> None:
        self.custom, self.core = client.CustomObjectsApi(api), client.CoreV1Api(api)

    def vmi(self, server_id: str) -> dict[str, Any]:
        servers = self.custom.list_cluster_custom_object("compute.kubenova.io", "v1alpha1", "servers")
        (found,) = [s for s in servers["items"] if s["metadata"]["uid"] == server_id]
        meta = found["metadata"]
        vmi: dict[str, Any] = self.custom.get_namespaced_custom_object(
            "kubevirt.io", "v1", meta["namespace"], "virtualmachineinstances", meta["name"]
        )
        return vmi

    def paused(self, server_id: str) -> bool:
        conditions = self.vmi(server_id).get("status", {}).get("conditions") or []
        return any(c["type"] == "Paused" and c["status"] == "True" for c in conditions)

    def soft_reboots(self, vmi: dict[str, Any]) -> int:
        events = self.core.list_namespaced_event(
            vmi["metadata"]["namespace"], field_selector=f"involvedObject.uid={vmi['metadata']['uid']}"
        )
        return sum(1 for e in events.items if e.reason == "SoftRebooted")


@pytest.fixture
def kubevirt(cluster: Cluster) -> Iterator[KubeVirtView]:
    with cluster.connected() as api:
        yield KubeVirtView(api)


def wait_idle(conn: Any, server: Any, status: str) -> Any:
    def settled() -> Any:
        current = conn.compute.get_server(server)
        return current if current.status == status and current.task_state is None else None

    return wait_for(settled, timeout=TIMEOUT, interval=0.5, message=f"server {status}")


def test_in_place_operations_with_openstacksdk(
    conns: tuple[Any, Any], boot: Boot, kubevirt: KubeVirtView
) -> None:
    conn, admin = conns
    server = conn.compute.create_server(
        name=unique("inplace"),
        image_id=boot.image_id,
        flavor_id=boot.flavor_id,
        networks=[{"uuid": boot.network_id}],
    )
    try:
        server = conn.compute.wait_for_server(server, status="ACTIVE", wait=TIMEOUT, interval=1)
        first = kubevirt.vmi(server.id)

        diagnostics = admin.compute.get_server_diagnostics(server)
        assert (diagnostics.state, diagnostics.driver, diagnostics.num_cpus) == ("running", "libvirt", 1)
        assert diagnostics.memory_details["maximum"] == boot.flavor_ram

        conn.compute.pause_server(server)
        paused = conn.compute.wait_for_server(server, status="PAUSED", wait=TIMEOUT, interval=1)
        assert (paused.vm_state, paused.power_state) == ("paused", 3)
        assert kubevirt.paused(server.id)
        conn.compute.unpause_server(server)
        wait_idle(conn, server, "ACTIVE")
        assert not kubevirt.paused(server.id)

        conn.compute.reboot_server(server, "SOFT")
        wait_for(
            lambda: kubevirt.soft_reboots(kubevirt.vmi(server.id)) == 1,
            timeout=TIMEOUT,
            message="guest soft-rebooted",
        )
        wait_idle(conn, server, "ACTIVE")
        assert kubevirt.vmi(server.id)["metadata"]["uid"] == first["metadata"]["uid"]

        conn.compute.reboot_server(server, "HARD")
        wait_for(
            lambda: kubevirt.vmi(server.id)["metadata"]["uid"] != first["metadata"]["uid"],
            timeout=TIMEOUT,
            message="instance replaced",
        )
        wait_idle(conn, server, "ACTIVE")

        conn.compute.suspend_server(server)
        wait_for(
            lambda: (
                next((a.action, a.message) for a in conn.compute.server_actions(server))
                == ("suspend", "Error")
            ),
            timeout=TIMEOUT,
            message="suspend recorded as failed",
        )
        assert conn.compute.get_server(server).status == "ACTIVE"

        with pytest.raises(openstack.exceptions.BadRequestException, match="crash dump is not supported"):
            conn.compute.trigger_server_crash_dump(server)

        admin.compute.reset_server_state(server, "error")
        wait_idle(conn, server, "ERROR")
        admin.compute.reset_server_state(server, "active")
        wait_idle(conn, server, "ACTIVE")

        actions = [a.action for a in conn.compute.server_actions(server)]
        assert actions[:7] == ["resetState", "resetState", "suspend", "reboot", "reboot", "unpause", "pause"]
    finally:
        conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=TIMEOUT, interval=1)
