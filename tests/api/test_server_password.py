"""``changePassword`` and ``/os-server-password``: Nova's schema and checks, the password written
into the VM's ``<vm>-admin-password`` Secret (under the image's ``os_admin_user``) and the
``changePassword`` action finished by the guest agent's verdict; 409 for an image without the
QEMU guest agent; the server password GET (always empty: no metadata service) and DELETE (204)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from kubernetes import client

from tests.api.test_server_support import SERVERS, ServerFactory, boot, create_image, delete_image, servers
from tests.fixtures.gateway import GatewayHandle
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]


@pytest.fixture
def agent_image(cluster: Cluster, gateway: GatewayHandle) -> Iterator[str]:
    image_id, name = create_image(
        cluster, gateway, properties={"hw_qemu_guest_agent": "yes", "os_admin_user": "cloud"}
    )
    try:
        yield image_id
    finally:
        delete_image(cluster, name)


def _agent_server(servers: ServerFactory, image_id: str) -> dict[str, Any]:
    bdm = [{"uuid": image_id, "boot_index": 0, "source_type": "image", "destination_type": "local"}]
    return servers.active(imageRef=image_id, block_device_mapping_v2=bdm)


def _act(servers: ServerFactory, server_id: str, body: Any, *, user: str = "demo-member") -> httpx.Response:
    with servers.gateway.client(user) as http:
        return http.post(f"{SERVERS}/{server_id}/action", json=body)


def _fault(response: httpx.Response, code: int) -> str:
    assert response.status_code == code, response.text
    ((_, body),) = response.json().items()
    return str(body["message"])


def _secret(cluster: Cluster, server_id: str) -> dict[str, str]:
    with cluster.connected() as api:
        custom = client.CustomObjectsApi(api)
        listing = custom.list_cluster_custom_object("compute.kubenova.io", "v1alpha1", "servers")
        server = next(s for s in listing["items"] if s["metadata"]["uid"] == server_id)
        secret = client.CoreV1Api(api).read_namespaced_secret(
            f"{server['status']['vmName']}-admin-password", server["metadata"]["namespace"]
        )
    return {k: base64.b64decode(v).decode() for k, v in (secret.data or {}).items()}


def _synchronized(cluster: Cluster, server_id: str) -> str | None:
    """The VMI's AccessCredentialsSynchronized status."""
    with cluster.connected() as api:
        custom = client.CustomObjectsApi(api)
        listing = custom.list_cluster_custom_object("compute.kubenova.io", "v1alpha1", "servers")
        server = next(s for s in listing["items"] if s["metadata"]["uid"] == server_id)
        vmi = custom.get_namespaced_custom_object(
            "kubevirt.io",
            "v1",
            server["metadata"]["namespace"],
            "virtualmachineinstances",
            server["status"]["vmName"],
        )
    conditions = (vmi.get("status") or {}).get("conditions") or []
    found = [c["status"] for c in conditions if c["type"] == "AccessCredentialsSynchronized"]
    return found[0] if found else None


def test_change_password_sets_it_through_the_guest_agent(
    servers: ServerFactory, cluster: Cluster, agent_image: str
) -> None:
    server_id = _agent_server(servers, agent_image)["id"]
    response = _act(servers, server_id, {"changePassword": {"adminPass": "n3w-Pass"}})
    assert response.status_code == 202, response.text
    assert response.content == b""
    assert _secret(cluster, server_id) == {"cloud": "n3w-Pass"}

    def finished() -> dict[str, Any] | None:
        with servers.gateway.client("demo-member") as http:
            listed = http.get(f"{SERVERS}/{server_id}/os-instance-actions").json()["instanceActions"]
        found = [a for a in listed if a["action"] == "changePassword"]
        return found[0] if found and found[0].get("message") is None else None

    wait_for(finished, timeout=60, message="changePassword recorded")
    shown = servers.wait_status(server_id, "ACTIVE")
    assert shown["OS-EXT-STS:task_state"] is None
    with servers.gateway.client("demo-member") as http:
        assert "n3w-Pass" not in http.get(f"{SERVERS}/{server_id}").text


def test_change_password_refusals(servers: ServerFactory, agent_image: str) -> None:
    plain_id = servers.active()["id"]
    message = _fault(_act(servers, plain_id, {"changePassword": {"adminPass": "x"}}), 409)
    assert message == "QEMU guest agent is not enabled"
    for body, expected in (
        ({"changePassword": {}}, "'adminPass' is a required property"),
        ({"changePassword": {"adminPass": None}}, "None is not of type 'string'"),
        ({"changePassword": {"adminPass": "x", "user": "root"}}, "Additional properties are not allowed"),
    ):
        assert expected in _fault(_act(servers, plain_id, body), 400)
    assert (
        _act(servers, plain_id, {"changePassword": {"adminPass": "x"}}, user="demo-reader").status_code == 403
    )

    server_id = _agent_server(servers, agent_image)["id"]
    assert _act(servers, server_id, {"os-stop": None}).status_code == 202
    servers.wait_status(server_id, "SHUTOFF")
    message = _fault(_act(servers, server_id, {"changePassword": {"adminPass": "x"}}), 409)
    assert message == f"Cannot 'changePassword' instance {server_id} while it is in vm_state stopped"


def test_server_password_is_empty_and_clearing_it_is_accepted(servers: ServerFactory) -> None:
    server_id = servers.active()["id"]
    path = f"{SERVERS}/{server_id}/os-server-password"
    with servers.gateway.client("demo-reader") as http:
        assert http.get(path).json() == {"password": ""}
        assert http.delete(path).status_code == 403
    with servers.gateway.client("demo-member") as http:
        response = http.delete(path)
        assert response.status_code == 204
        assert response.content == b""
        assert http.get(path).json() == {"password": ""}
        assert (
            http.get(f"{SERVERS}/6e1fd7e4-0000-4000-8000-000000000000/os-server-password").status_code == 404
        )


def test_a_guest_agent_that_cannot_set_it_is_novas_501(
    servers: ServerFactory, cluster: Cluster, agent_image: str
) -> None:
    server_id = _agent_server(servers, agent_image)["id"]
    with servers.gateway.client("admin") as http:
        host = http.get(f"{SERVERS}/{server_id}").json()["server"]["OS-EXT-SRV-ATTR:host"]
    knob = "kubevirt-simulator.kubenova.io/guest-agent"
    with cluster.connected() as api:
        core = client.CoreV1Api(api)
        core.patch_node(host, {"metadata": {"annotations": {knob: "disconnected"}}})
        try:
            wait_for(lambda: _synchronized(cluster, server_id) == "False", timeout=30, message="agent gone")
            response = _act(servers, server_id, {"changePassword": {"adminPass": "x"}})
        finally:
            core.patch_node(host, {"metadata": {"annotations": {knob: None}}})
    assert _fault(response, 501) == "Unable to set password on instance"
    shown = servers.wait_status(server_id, "ACTIVE")
    assert shown["OS-EXT-STS:task_state"] is None
    with servers.gateway.client("demo-member") as http:
        listed = http.get(f"{SERVERS}/{server_id}/os-instance-actions").json()["instanceActions"]
    assert listed[0]["action"] == "changePassword"
