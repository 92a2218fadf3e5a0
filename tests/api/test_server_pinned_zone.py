"""2.104: ``pinned_availability_zone`` in ``PUT /servers/{id}``: null unpins, the server's current
zone re-pins, anything else is Nova's 409; what it writes is ``spec.availabilityZone``."""

from __future__ import annotations

from typing import Any, cast

import pytest
from kubernetes import client

from kubenova.resources import GROUP, VERSION
from tests.api.test_server_support import SERVERS, ServerFactory, boot, servers
from tests.fixtures.gateway import GatewayHandle

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]


def spec_zone(gateway: GatewayHandle, server_id: str) -> Any:
    custom = client.CustomObjectsApi(gateway.api_client)
    listing = cast(dict[str, Any], custom.list_cluster_custom_object(GROUP, VERSION, "servers"))
    (obj,) = [item for item in listing["items"] if item["metadata"]["uid"] == server_id]
    return obj["spec"].get("availabilityZone")


def test_unpin_and_repin(gateway: GatewayHandle, servers: ServerFactory) -> None:
    server = servers.active(availability_zone="nova")
    url = f"{SERVERS}/{server['id']}"
    assert server["OS-EXT-AZ:availability_zone"] == "nova"
    with gateway.client("demo-member", version="2.104") as http:
        assert http.get(url).json()["server"]["pinned_availability_zone"] == "nova"
        moved = http.put(url, json={"server": {"pinned_availability_zone": "elsewhere"}})
        assert moved.status_code == 409
        assert moved.json()["conflictingRequest"]["message"] == (
            "Cannot change pinned availability zone directly. Unpin first by setting "
            "pinned_availability_zone to null."
        )
        same = http.put(url, json={"server": {"pinned_availability_zone": "nova"}})
        assert same.status_code == 200
        assert same.json()["server"]["pinned_availability_zone"] == "nova"

        unpinned = http.put(url, json={"server": {"pinned_availability_zone": None}})
        assert unpinned.status_code == 200, unpinned.text
        assert unpinned.json()["server"]["pinned_availability_zone"] is None
        assert unpinned.json()["server"]["OS-EXT-AZ:availability_zone"] == "nova"
        assert spec_zone(gateway, server["id"]) is None
        assert http.put(url, json={"server": {"pinned_availability_zone": None}}).status_code == 200

        elsewhere = http.put(url, json={"server": {"pinned_availability_zone": "elsewhere"}})
        assert elsewhere.status_code == 409
        assert elsewhere.json()["conflictingRequest"]["message"] == (
            "Server can only be pinned to its current availability zone 'nova', "
            "but 'elsewhere' was requested."
        )
        repinned = http.put(url, json={"server": {"pinned_availability_zone": "nova"}})
        assert repinned.status_code == 200
        assert repinned.json()["server"]["pinned_availability_zone"] == "nova"
        assert spec_zone(gateway, server["id"]) == "nova"

        empty = http.put(url, json={"server": {"pinned_availability_zone": ""}})
        assert empty.status_code == 400
        assert empty.json()["badRequest"]["message"] == (
            "Invalid input for field/attribute pinned_availability_zone. Value: . "
            "'' is not valid under any of the given schemas"
        )
    with gateway.client("demo-member", version="2.103") as old:
        refused = old.put(url, json={"server": {"pinned_availability_zone": None}})
    assert refused.status_code == 400
    assert refused.json()["badRequest"]["message"].endswith(
        "Additional properties are not allowed ('pinned_availability_zone' was unexpected)"
    )
