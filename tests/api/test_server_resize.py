"""resize / confirmResize / revertResize through the gateway: Nova's answers before anything is
written (400 for the flavor, 403 for the quota of the growth, 409 for the state, a schema 400 for
a bad body), the spec intent it writes, VERIFY_RESIZE and back."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from kubernetes import client

from tests.api.test_server_support import (
    LATEST,
    SERVERS,
    ServerFactory,
    boot,
    create_flavor,
    delete_flavor,
    servers,
)
from tests.fixtures.gateway import GatewayHandle
from tests.support.cluster import Cluster

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]

QUOTAS = "/compute/v2.1/os-quota-sets"


def _act(servers: ServerFactory, server_id: str, body: Any, user: str = "alt-member") -> httpx.Response:
    with servers.gateway.client(user, version=LATEST) as http:
        return http.post(f"{SERVERS}/{server_id}/action", json=body)


def _message(response: httpx.Response, code: int) -> str:
    assert response.status_code == code, response.text
    ((_, fault),) = response.json().items()
    return str(fault["message"])


@pytest.fixture
def flavors(gateway: GatewayHandle) -> Iterator[dict[str, str]]:
    made = {
        "bigger": create_flavor(gateway, vcpus=2, ram=128, disk=2),
        "zero": create_flavor(gateway, vcpus=2, ram=128, disk=0),
        "huge": create_flavor(gateway, vcpus=6, ram=128, disk=2),
    }
    yield made
    for flavor_id in made.values():
        delete_flavor(gateway, flavor_id)


def test_resize_refusals_and_round_trip(
    servers: ServerFactory, gateway: GatewayHandle, cluster: Cluster, flavors: dict[str, str]
) -> None:
    server_id = servers.active("alt-member")["id"]
    same = servers.boot.flavor_id
    assert _message(_act(servers, server_id, {"resize": {"flavorRef": same}}), 400) == (
        "Resize requires a flavor change."
    )
    assert _message(_act(servers, server_id, {"resize": {"flavorRef": "no-such"}}), 400) == (
        "Unable to locate requested flavor."
    )
    assert _message(_act(servers, server_id, {"resize": {"flavorRef": flavors["zero"]}}), 400) == (
        "Server disk was unable to be resized because: Resize to zero disk flavor is not allowed."
    )
    assert _act(servers, server_id, {"resize": {}}).status_code == 400
    assert _act(servers, server_id, {"resize": {"flavorRef": same, "extra": 1}}).status_code == 400
    for action in ("confirmResize", "revertResize"):
        assert _message(_act(servers, server_id, {action: None}), 409) == (
            f"Cannot '{action}' instance {server_id} while it is in vm_state active"
        )
    project = gateway.project_id("alt")
    with gateway.client("admin") as admin:
        assert admin.put(f"{QUOTAS}/{project}", json={"quota_set": {"cores": 3}}).status_code == 200
        try:
            refused = _act(servers, server_id, {"resize": {"flavorRef": flavors["huge"]}})
            assert _message(refused, 403).startswith(
                "Quota exceeded for cores: Requested 5, but already used"
            )
        finally:
            admin.delete(f"{QUOTAS}/{project}")

    used_before = vcpus_used(gateway)
    assert _act(servers, server_id, {"resize": {"flavorRef": flavors["bigger"]}}).status_code == 202
    resized = servers.wait_status(server_id, "VERIFY_RESIZE", user="alt-member")
    assert resized["flavor"]["vcpus"] == 2
    # The hypervisors show both placements held: the old flavor's vCPU and the new flavor's two.
    assert vcpus_used(gateway) == used_before + 2
    # The gateway wrote the spec intent: the Flavor object and the request id.
    with cluster.connected() as api:
        custom = client.CustomObjectsApi(api)
        listed = custom.list_cluster_custom_object("compute.kubenova.io", "v1alpha1", "servers")["items"]
        server = next(s for s in listed if s["metadata"]["uid"] == server_id)
        assert server["spec"]["flavor"] == flavors["bigger"]
        assert server["spec"]["resize"]["requestId"].startswith("req-")
    assert _message(_act(servers, server_id, {"resize": {"flavorRef": same}}), 409).startswith(
        "Cannot 'resize' instance"
    )
    assert _act(servers, server_id, {"revertResize": None}).status_code == 202
    reverted = servers.wait_status(server_id, "ACTIVE", user="alt-member")
    assert reverted["flavor"]["vcpus"] == servers.boot.flavor_vcpus
    assert vcpus_used(gateway) == used_before


def vcpus_used(gateway: GatewayHandle) -> int:
    with gateway.client("admin", version="2.87") as http:
        response = http.get("/compute/v2.1/os-hypervisors/detail")
        assert response.status_code == 200, response.text
        return sum(int(h["vcpus_used"]) for h in response.json()["hypervisors"])
