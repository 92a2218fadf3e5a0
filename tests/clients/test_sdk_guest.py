"""openstacksdk and the guest: ``change_server_password`` (the password reaches the VM's
``<vm>-admin-password`` Secret, the action is recorded, the server stays ACTIVE) and
``get_server_console_output`` (the launcher pod's serial console log)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from tests.api.test_server_support import Boot, boot, create_image, delete_image, unique
from tests.clients.test_sdk_in_place import TIMEOUT, conns
from tests.fixtures.gateway import GatewayHandle
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.clients]
__all__ = ["boot", "conns"]


def _secret_data(cluster: Cluster, server_id: str) -> dict[str, str]:
    with cluster.connected() as api:
        listing = client.CustomObjectsApi(api).list_cluster_custom_object(
            "compute.kubenova.io", "v1alpha1", "servers"
        )
        server = next(s for s in listing["items"] if s["metadata"]["uid"] == server_id)
        secret = client.CoreV1Api(api).read_namespaced_secret(
            f"{server['status']['vmName']}-admin-password", server["metadata"]["namespace"]
        )
    return {k: base64.b64decode(v).decode() for k, v in (secret.data or {}).items()}


def test_sdk_change_password_and_console_output(
    conns: tuple[Any, Any], gateway: GatewayHandle, cluster: Cluster, boot: Boot, tmp_path: Path
) -> None:
    member, _ = conns
    image_id, image_name = create_image(cluster, gateway, properties={"hw_qemu_guest_agent": "yes"})
    server = None
    try:
        server = member.compute.create_server(
            name=unique("sdkpw"), image_id=image_id, flavor_id=boot.flavor_id, networks="auto"
        )
        server = member.compute.wait_for_server(server, status="ACTIVE", wait=TIMEOUT)
        member.compute.change_server_password(server, "sdk-Pass-1")
        assert _secret_data(cluster, server.id) == {"root": "sdk-Pass-1"}

        def recorded() -> bool:
            actions = [a.action for a in member.compute.server_actions(server)]
            shown = member.compute.get_server(server)
            return "changePassword" in actions and shown.task_state is None

        wait_for(recorded, timeout=TIMEOUT, message="changePassword finished")
        assert member.compute.get_server(server).status == "ACTIVE"

        output = member.compute.get_server_console_output(server)["output"]
        assert f"{server.name} login: " in output
        last = member.compute.get_server_console_output(server, length=1)["output"]
        assert last == f"{server.name} login: "
    finally:
        if server is not None:
            member.compute.delete_server(server)
            member.compute.wait_for_delete(server, wait=TIMEOUT)
        delete_image(cluster, image_name)
