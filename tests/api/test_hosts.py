"""``/os-hosts`` (2.1-2.42, admin): the compute Nodes as Nova's hosts, their zones and resource
rows; the power and status actions answer what Nova's libvirt driver answers (501)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.samples import assert_sample
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory, SimulatorHandle
from tests.integration.compute import Compute
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

HOSTS = "/compute/v2.1/os-hosts"
AGGREGATES = "/compute/v2.1/os-aggregates"
SERVICES = "/compute/v2.1/os-services"


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


@pytest.fixture
def admin(gateway: GatewayHandle) -> Iterator[httpx.Client]:
    with gateway.client("admin", version="2.42") as http:
        yield http


def listed(http: httpx.Client, **params: str) -> dict[str, dict[str, Any]]:
    response = http.get(HOSTS, params=params)
    assert response.status_code == 200, response.text
    return {h["host_name"]: h for h in response.json()["hosts"]}


@pytest.fixture
def node(managed_node: ManagedNodeFactory, admin: httpx.Client) -> str:
    name = managed_node(unique("host"), cpu="4", memory="8Gi", taint=True)
    wait_for(lambda: name in listed(admin), timeout=15, message=f"gateway lists {name}")
    return name


def test_index_show_and_zones(
    gateway: GatewayHandle, operator: OperatorHandle, admin: httpx.Client, node: str
) -> None:
    """The operator gives the aggregate its id."""
    operator.check_alive()
    assert listed(admin)[node] == {"host_name": node, "service": "compute", "zone": "nova"}
    zone = unique("az-host")
    agg = admin.post(AGGREGATES, json={"aggregate": {"name": unique("agg-host"), "availability_zone": zone}})
    agg_id = agg.json()["aggregate"]["id"]
    try:
        added = admin.post(f"{AGGREGATES}/{agg_id}/action", json={"add_host": {"host": node}})
        assert added.status_code == 200
        assert listed(admin, zone=zone) == {node: {"host_name": node, "service": "compute", "zone": zone}}
        assert node not in listed(admin, zone="nova")
    finally:
        admin.post(f"{AGGREGATES}/{agg_id}/action", json={"remove_host": {"host": node}})
        admin.delete(f"{AGGREGATES}/{agg_id}")

    shown = admin.get(f"{HOSTS}/{node}")
    assert shown.status_code == 200
    rows = [row["resource"] for row in shown.json()["host"]]
    assert rows == [
        {"host": node, "project": "(total)", "cpu": 4, "memory_mb": 8192, "disk_gb": 100},
        {"host": node, "project": "(used_now)", "cpu": 0, "memory_mb": 0, "disk_gb": 0},
        {"host": node, "project": "(used_max)", "cpu": 0, "memory_mb": 0, "disk_gb": 0},
    ]
    body = shown.json()
    for row in body["host"]:
        row["resource"]["host"] = "<host>"
    assert_sample("hosts", "2.1", "host-get-resp", body, base_url=gateway.url)

    missing = admin.get(f"{HOSTS}/no-such-host")
    assert missing.status_code == 404
    assert missing.json()["itemNotFound"]["message"] == "Compute host no-such-host could not be found."


def test_disabled_hosts_are_not_listed(admin: httpx.Client, node: str) -> None:
    service = admin.get(SERVICES, params={"host": node}).json()["services"][0]
    disabled = admin.put(f"{SERVICES}/disable", json={"host": node, "binary": service["binary"]})
    assert disabled.status_code == 200, disabled.text
    wait_for(lambda: node not in listed(admin), timeout=15, message="disabled host left out")
    admin.put(f"{SERVICES}/enable", json={"host": node, "binary": service["binary"]})


def test_actions_answer_not_supported(admin: httpx.Client, node: str) -> None:
    for action in ("startup", "shutdown", "reboot"):
        response = admin.get(f"{HOSTS}/{node}/{action}")
        assert response.status_code == 501, (action, response.text)
        assert response.json()["notImplemented"]["message"] == "The requested functionality is not supported."
        assert admin.get(f"{HOSTS}/no-such-host/{action}").status_code == 404
    update = admin.put(f"{HOSTS}/{node}", json={"status": "disable"})
    assert update.status_code == 501
    assert admin.put(f"{HOSTS}/no-such-host", json={"maintenance_mode": "enable"}).status_code == 404
    bad = admin.put(f"{HOSTS}/{node}", json={"status": "off"})
    assert bad.status_code == 400
    assert bad.json()["badRequest"]["message"] == (
        "Invalid input for field/attribute status. Value: off. "
        "'off' is not one of ['enable', 'disable', 'Enable', 'Disable', 'ENABLE', 'DISABLE']"
    )
    empty = admin.put(f"{HOSTS}/{node}", json={})
    assert empty.json()["badRequest"]["message"] == "{} is not valid under any of the given schemas"


def test_policy_and_microversions(gateway: GatewayHandle, node: str) -> None:
    with gateway.client("demo-member", version="2.42") as member:
        refused = member.get(HOSTS)
    assert refused.status_code == 403
    assert refused.json()["forbidden"]["message"] == (
        "Policy doesn't allow os_compute_api:os-hosts:list to be performed."
    )
    with gateway.client("admin", version="2.43") as removed:
        assert removed.get(HOSTS).status_code == 404
        assert removed.get(f"{HOSTS}/{node}").status_code == 404
    with gateway.client("admin") as default:
        assert node in listed(default)


@pytest.fixture
def compute(
    cluster: Cluster, operator: OperatorHandle, simulator: SimulatorHandle, namespace: str
) -> Iterator[Compute]:
    simulator.check_alive()
    operator.check_alive()
    with cluster.connected() as api:
        helper = Compute(api, namespace)
        try:
            yield helper
        finally:
            helper.cleanup()


def test_resources_of_placed_servers(
    gateway: GatewayHandle, managed_node: ManagedNodeFactory, compute: Compute, admin: httpx.Client
) -> None:
    """A server booted onto a host of its own zone shows in the host's rows: used_now as the
    hypervisor counts it (swap included), used_max and its project's row as Nova sums instances."""
    host = managed_node(unique("host-used"), cpu="2", memory="4Gi")
    zone = unique("az-hosts")
    agg = admin.post(AGGREGATES, json={"aggregate": {"name": unique("agg-hosts"), "availability_zone": zone}})
    agg_id = agg.json()["aggregate"]["id"]
    try:
        admin.post(f"{AGGREGATES}/{agg_id}/action", json={"add_host": {"host": host}})
        flavor = compute.flavor(vcpus=1, ram=256, disk=1, ephemeral=1, swap=512)
        server = compute.create_server(
            unique("srv"), flavor=flavor, image=compute.image(), availabilityZone=zone
        )
        name = server["metadata"]["name"]
        placed = compute.wait_status(name, "ACTIVE", timeout=90)
        assert placed["status"]["host"] == host

        def rows() -> list[dict[str, Any]] | None:
            found = [r["resource"] for r in admin.get(f"{HOSTS}/{host}").json()["host"]]
            return found if len(found) == 4 else None

        shown = wait_for(rows, timeout=15, message="the server's project listed on its host")
        assert shown is not None
        project = shown[3]["project"]
        assert project == placed["metadata"]["namespace"] or len(project) == 32
        assert [(r["project"], r["cpu"], r["memory_mb"], r["disk_gb"]) for r in shown[1:]] == [
            ("(used_now)", 1, 256, 3),
            ("(used_max)", 1, 256, 2),
            (project, 1, 256, 2),
        ]
        compute.delete_server(name)
        compute.wait_gone(name, timeout=60)
    finally:
        admin.post(f"{AGGREGATES}/{agg_id}/action", json={"remove_host": {"host": host}})
        admin.delete(f"{AGGREGATES}/{agg_id}")
