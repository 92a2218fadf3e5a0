"""openstacksdk shelving through the gateway (the operator's default ``shelved_offload_time`` 0:
offloaded at once), checked on the KubeVirt VM: ``shelve_server`` (SHELVED_OFFLOADED, no host,
the VM halted, no VMI), ``unshelve_server`` with an availability zone (ACTIVE in that zone with a
host, a VMI running again)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_server_support import Boot, boot, unique
from tests.clients.test_sdk_in_place import TIMEOUT, KubeVirtView, conns, kubevirt, wait_idle
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.clients]
__all__ = ["boot", "conns", "kubevirt"]


def vm_of(view: KubeVirtView, server_id: str) -> dict[str, Any]:
    servers = view.custom.list_cluster_custom_object("compute.kubenova.io", "v1alpha1", "servers")
    (found,) = [s for s in servers["items"] if s["metadata"]["uid"] == server_id]
    meta = found["metadata"]
    vm: dict[str, Any] = view.custom.get_namespaced_custom_object(
        "kubevirt.io", "v1", meta["namespace"], "virtualmachines", meta["name"]
    )
    return vm


def vmi_phase(view: KubeVirtView, server_id: str) -> str | None:
    try:
        return str(view.vmi(server_id).get("status", {}).get("phase"))
    except Exception as exc:  # the kubernetes client's ApiException: gone
        if getattr(exc, "status", None) == 404:
            return None
        raise


def test_shelve_and_unshelve_with_openstacksdk(
    conns: tuple[Any, Any], boot: Boot, kubevirt: KubeVirtView
) -> None:
    conn, admin = conns
    server = conn.compute.create_server(
        name=unique("shelf"),
        image_id=boot.image_id,
        flavor_id=boot.flavor_id,
        networks=[{"uuid": boot.network_id}],
    )
    try:
        server = conn.compute.wait_for_server(server, status="ACTIVE", wait=TIMEOUT, interval=1)
        conn.compute.shelve_server(server)
        offloaded = wait_idle(conn, server, "SHELVED_OFFLOADED")
        assert offloaded.vm_state == "shelved_offloaded"
        assert admin.compute.get_server(server.id).compute_host is None
        assert vm_of(kubevirt, server.id)["spec"]["runStrategy"] == "Halted"
        wait_for(lambda: vmi_phase(kubevirt, server.id) is None, timeout=30, message="VMI gone")

        conn.compute.unshelve_server(server, availability_zone="nova")
        active = wait_idle(conn, server, "ACTIVE")
        assert active.availability_zone == "nova"
        assert admin.compute.get_server(server.id).compute_host is not None
        wait_for(lambda: vmi_phase(kubevirt, server.id) == "Running", timeout=30, message="VMI running")
    finally:
        conn.compute.delete_server(server, ignore_missing=True)
        conn.compute.wait_for_delete(server, wait=TIMEOUT)
