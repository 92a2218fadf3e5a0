"""Availability zones: the default zone, zones from aggregates, availability from enabled services,
the admin detail with hosts and service state, policy and golden samples."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from kubernetes import client

from tests.api.samples import assert_sample
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import READY_ANNOTATION, ManagedNodeFactory
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

ZONES = "/compute/v2.1/os-availability-zone"
AGGREGATES = "/compute/v2.1/os-aggregates"
SERVICES = "/compute/v2.1/os-services"


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


@pytest.fixture
def admin(gateway: GatewayHandle) -> Iterator[httpx.Client]:
    with gateway.client("admin") as http:  # OSC sends no microversion here
        yield http


@pytest.fixture
def zoned_node(
    gateway: GatewayHandle, operator: OperatorHandle, managed_node: ManagedNodeFactory, admin: httpx.Client
) -> Iterator[tuple[str, str, int]]:
    """(node, zone, aggregate id): a Node of this test, alone in a zone of its own (the operator
    runs: it allocates the aggregate's id)."""
    node = managed_node(unique("az-host"), taint=True)
    wait_for(
        lambda: admin.get(SERVICES, params={"host": node}).json()["services"],
        timeout=15,
        message=f"gateway knows {node}",
    )
    zone = unique("zone")
    made = admin.post(AGGREGATES, json={"aggregate": {"name": unique("agg-az"), "availability_zone": zone}})
    agg_id: int = made.json()["aggregate"]["id"]
    admin.post(f"{AGGREGATES}/{agg_id}/action", json={"add_host": {"host": node}})
    try:
        yield node, zone, agg_id
    finally:
        admin.post(f"{AGGREGATES}/{agg_id}/action", json={"remove_host": {"host": node}})
        admin.delete(f"{AGGREGATES}/{agg_id}")


def zones(http: httpx.Client, path: str = ZONES) -> dict[str, dict[str, Any]]:
    info: list[dict[str, Any]] = http.get(path).json()["availabilityZoneInfo"]
    return {z["zoneName"]: z for z in info}


def test_default_zone_for_hosts_in_no_zoned_aggregate(
    gateway: GatewayHandle, managed_node: ManagedNodeFactory, admin: httpx.Client
) -> None:
    node = managed_node(unique("az-default"), taint=True)

    def in_nova() -> bool:
        hosts = zones(admin, ZONES + "/detail").get("nova", {}).get("hosts") or {}
        return node in hosts

    wait_for(in_nova, timeout=15, message="node in the default zone")
    with gateway.client("demo-member") as member:
        assert zones(member)["nova"] == {"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}


def test_zone_of_an_aggregate(
    gateway: GatewayHandle, zoned_node: tuple[str, str, int], admin: httpx.Client
) -> None:
    node, zone, _ = zoned_node
    assert zones(admin)[zone] == {"zoneName": zone, "zoneState": {"available": True}, "hosts": None}
    detail = zones(admin, ZONES + "/detail")[zone]
    assert list(detail["hosts"]) == [node]
    service = detail["hosts"][node]["nova-compute"]
    assert (service["available"], service["active"]) == (True, True)
    assert service["updated_at"].endswith(".000000")
    assert node not in (zones(admin, ZONES + "/detail")["nova"]["hosts"] or {})
    # The services API agrees on the zone.
    assert admin.get(SERVICES, params={"host": node}).json()["services"][0]["zone"] == zone


def test_zone_with_only_disabled_services_is_unavailable(
    gateway: GatewayHandle, zoned_node: tuple[str, str, int], admin: httpx.Client
) -> None:
    node, zone, _ = zoned_node
    kube: Any = client.CoreV1Api(gateway.api_client).read_node(node)
    uid = kube.metadata.uid
    with gateway.client("admin", version="2.53") as http:
        http.put(f"{SERVICES}/{uid}", json={"status": "disabled"})
    try:
        listed: list[dict[str, Any]] = admin.get(ZONES).json()["availabilityZoneInfo"]
        entry = next(z for z in listed if z["zoneName"] == zone)
        assert entry == {"zoneName": zone, "zoneState": {"available": False}, "hosts": None}
        # Unavailable zones come after every available one.
        states = [z["zoneState"]["available"] for z in listed]
        assert states == sorted(states, reverse=True)
        assert zones(admin, ZONES + "/detail")[zone]["hosts"] is None
    finally:
        with gateway.client("admin", version="2.53") as http:
            http.put(f"{SERVICES}/{uid}", json={"status": "enabled"})


def test_a_down_host_keeps_its_zone_available(
    gateway: GatewayHandle, zoned_node: tuple[str, str, int], admin: httpx.Client
) -> None:
    node, zone, _ = zoned_node
    core = client.CoreV1Api(gateway.api_client)
    core.patch_node(node, {"metadata": {"annotations": {READY_ANNOTATION: "false"}}})

    def down() -> bool:
        hosts = zones(admin, ZONES + "/detail")[zone]["hosts"]
        return hosts[node]["nova-compute"]["available"] is False

    wait_for(down, timeout=20, message="service down in the zone detail")
    assert zones(admin)[zone]["zoneState"] == {"available": True}
    core.patch_node(node, {"metadata": {"annotations": {READY_ANNOTATION: None}}})


def test_detail_is_admin_only(gateway: GatewayHandle) -> None:
    with gateway.client("demo-member") as member:
        refused = member.get(ZONES + "/detail")
        assert refused.status_code == 403
        assert "os_compute_api:os-availability-zone:detail" in refused.json()["forbidden"]["message"]
        assert member.get(ZONES).status_code == 200


def test_samples(gateway: GatewayHandle, zoned_node: tuple[str, str, int], admin: httpx.Client) -> None:
    node, zone, _ = zoned_node
    summary = {"availabilityZoneInfo": [zones(admin)[zone] | {"zoneName": "zone-1"}]}
    assert_sample("availability_zones", "2.1", "availability-zone-list-resp", summary, base_url=gateway.url)
    entry = zones(admin, ZONES + "/detail")[zone]
    detail = {
        "availabilityZoneInfo": [{**entry, "zoneName": "zone-1", "hosts": {"host1": entry["hosts"][node]}}]
    }
    assert_sample("availability_zones", "2.1", "availability-zone-detail-resp", detail, base_url=gateway.url)
