# Over 300 lines: one resource's API tests across microversions.
"""Hypervisors: Nodes with exact capacity seen through the API per microversion (ids, figures,
2.88 cleanup), lookups, search and paging, statistics, state from the Ready condition, usage of
servers the operator placed, policy and golden samples."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from kubernetes import client

from tests.api.samples import assert_sample
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import READY_ANNOTATION, ManagedNodeFactory, SimulatorHandle
from tests.integration.compute import Compute
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

HYPERVISORS = "/compute/v2.1/os-hypervisors"
AGGREGATES = "/compute/v2.1/os-aggregates"
SERVICES = "/compute/v2.1/os-services"
FIGURES = {
    "vcpus",
    "memory_mb",
    "local_gb",
    "vcpus_used",
    "memory_mb_used",
    "local_gb_used",
    "free_ram_mb",
    "free_disk_gb",
    "current_workload",
    "running_vms",
    "disk_available_least",
    "cpu_info",
}


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


def known(http: httpx.Client, name: str) -> dict[str, Any]:
    """The hypervisor ``name`` once the gateway's Node cache has it (2.53+ client)."""

    def found() -> dict[str, Any] | None:
        response = http.get(HYPERVISORS + "/detail", params={"hypervisor_hostname_pattern": name})
        items: list[dict[str, Any]] = response.json().get("hypervisors", [])
        return next((h for h in items if h["hypervisor_hostname"] == name), None)

    hypervisor = wait_for(found, timeout=15, message=f"gateway knows {name}")
    assert hypervisor is not None
    return hypervisor


@pytest.fixture
def admin(gateway: GatewayHandle) -> Iterator[httpx.Client]:
    with gateway.client("admin", version="2.88") as http:
        yield http


@pytest.fixture
def node(managed_node: ManagedNodeFactory, admin: httpx.Client) -> str:
    """A Node of this test with exact capacity, tainted so nobody else's VMs land on it."""
    name = managed_node(unique("hv"), cpu="4", memory="8Gi", taint=True)
    known(admin, name)
    return name


def node_object(gateway: GatewayHandle, name: str) -> Any:
    return client.CoreV1Api(gateway.api_client).read_node(name)


def test_detail_per_microversion(gateway: GatewayHandle, node: str) -> None:
    kube = node_object(gateway, node)
    internal_ip = next(a.address for a in kube.status.addresses if a.type == "InternalIP")
    with gateway.client("admin", version="2.1") as old:
        hyp = next(
            h
            for h in old.get(HYPERVISORS + "/detail").json()["hypervisors"]
            if h["hypervisor_hostname"] == node
        )
    assert isinstance(hyp["id"], int)
    assert isinstance(hyp["service"]["id"], int)
    assert (hyp["vcpus"], hyp["memory_mb"], hyp["local_gb"]) == (4, 8192, 100)
    assert (hyp["vcpus_used"], hyp["memory_mb_used"], hyp["local_gb_used"], hyp["running_vms"]) == (
        0,
        0,
        0,
        0,
    )
    assert (hyp["free_ram_mb"], hyp["free_disk_gb"], hyp["current_workload"]) == (8192, 100, 0)
    assert json.loads(hyp["cpu_info"]) == {"arch": "x86_64"}  # a JSON string before 2.28
    assert (hyp["state"], hyp["status"]) == ("up", "enabled")
    assert (hyp["hypervisor_type"], hyp["hypervisor_version"]) == ("QEMU", 1036003)
    assert hyp["host_ip"] == internal_ip
    assert hyp["service"]["host"] == node
    assert hyp["service"]["disabled_reason"] is None
    assert "uptime" not in hyp

    with gateway.client("admin", version="2.28") as v228:
        assert v228.get(f"{HYPERVISORS}/{hyp['id']}").json()["hypervisor"]["cpu_info"] == {"arch": "x86_64"}

    with gateway.client("admin", version="2.53") as v253:
        shown = v253.get(f"{HYPERVISORS}/{kube.metadata.uid}").json()["hypervisor"]
    assert shown["id"] == kube.metadata.uid
    assert shown["service"]["id"] == kube.metadata.uid
    assert set(shown) >= FIGURES

    with gateway.client("admin", version="2.88") as v288:
        latest = v288.get(f"{HYPERVISORS}/{kube.metadata.uid}").json()["hypervisor"]
    assert not FIGURES & set(latest)
    assert latest["uptime"] is None
    assert latest["host_ip"] == internal_ip


def test_list_is_the_short_form(gateway: GatewayHandle, node: str) -> None:
    for version in ("2.1", "2.53", "2.88"):
        with gateway.client("admin", version=version) as http:
            listed = [
                h for h in http.get(HYPERVISORS).json()["hypervisors"] if h["hypervisor_hostname"] == node
            ]
        assert len(listed) == 1
        assert set(listed[0]) == {"id", "hypervisor_hostname", "state", "status"}


def test_lookups(gateway: GatewayHandle, node: str) -> None:
    uid = node_object(gateway, node).metadata.uid
    with gateway.client("admin", version="2.53") as http:
        bad = http.get(f"{HYPERVISORS}/{node}")
        assert bad.status_code == 400
        assert bad.json()["badRequest"]["message"] == f"Invalid uuid {node}"
        missing = http.get(f"{HYPERVISORS}/{uuid.uuid4()}")
        assert missing.status_code == 404
        assert "could not be found" in missing.json()["itemNotFound"]["message"]
        assert http.get(f"{HYPERVISORS}/{uid}").status_code == 200
    with gateway.client("admin", version="2.52") as old:
        assert old.get(f"{HYPERVISORS}/{node}").status_code == 404  # not an integer: not found
        legacy = next(
            h["id"] for h in old.get(HYPERVISORS).json()["hypervisors"] if h["hypervisor_hostname"] == node
        )
        assert old.get(f"{HYPERVISORS}/{legacy}").json()["hypervisor"]["hypervisor_hostname"] == node


def test_search_by_pattern(gateway: GatewayHandle, node: str) -> None:
    with gateway.client("admin", version="2.53") as http:
        found = http.get(HYPERVISORS, params={"hypervisor_hostname_pattern": node[3:].upper()})
        assert [h["hypervisor_hostname"] for h in found.json()["hypervisors"]] == [node]
        nothing = http.get(HYPERVISORS, params={"hypervisor_hostname_pattern": "no-such-host-xyz"})
        assert nothing.status_code == 404
        assert (
            nothing.json()["itemNotFound"]["message"]
            == "No hypervisor matching 'no-such-host-xyz' could be found."
        )
        paged = http.get(HYPERVISORS, params={"hypervisor_hostname_pattern": node, "limit": 1})
        assert paged.status_code == 400
        bad_flag = http.get(HYPERVISORS, params={"with_servers": "maybe"})
        assert bad_flag.status_code == 400
        assert http.get(f"{HYPERVISORS}/{node}/search").status_code == 404  # gone at 2.53
    with gateway.client("admin", version="2.52") as old:
        searched = old.get(f"{HYPERVISORS}/{node}/search").json()["hypervisors"]
        assert [h["hypervisor_hostname"] for h in searched] == [node]
        servers = old.get(f"{HYPERVISORS}/{node}/servers").json()["hypervisors"]
        assert "servers" not in servers[0]  # Nova lists servers only when there are some
        assert old.get(f"{HYPERVISORS}/no-such-host-xyz/servers").status_code == 404
    with gateway.client("admin", version="2.75") as v275:
        listed = v275.get(HYPERVISORS, params={"hypervisor_hostname_pattern": node, "with_servers": "true"})
        assert listed.json()["hypervisors"][0]["servers"] == []  # always present from 2.75


def test_paging_from_2_33(gateway: GatewayHandle, managed_node: ManagedNodeFactory, node: str) -> None:
    managed_node(unique("hv"), taint=True)
    with gateway.client("admin", version="2.53") as http:
        first = http.get(HYPERVISORS, params={"limit": 1}).json()
        assert len(first["hypervisors"]) == 1
        link = first["hypervisors_links"][0]
        assert link["rel"] == "next"
        assert f"marker={first['hypervisors'][0]['id']}" in link["href"]
        second = http.get(link["href"]).json()["hypervisors"]
        assert second
        assert second[0]["id"] != first["hypervisors"][0]["id"]
        assert http.get(HYPERVISORS, params={"marker": str(uuid.uuid4())}).status_code == 400
    with gateway.client("admin", version="2.32") as old:
        assert "hypervisors_links" not in old.get(HYPERVISORS, params={"limit": 1}).json()


def test_statistics_leave_disabled_hosts_out(gateway: GatewayHandle, node: str) -> None:
    uid = node_object(gateway, node).metadata.uid
    with gateway.client("admin") as http:
        before = http.get(HYPERVISORS + "/statistics").json()["hypervisor_statistics"]
        assert before["count"] >= 1
        assert before["vcpus"] >= 4
    with gateway.client("admin", version="2.53") as http:
        disabled = http.put(f"{SERVICES}/{uid}", json={"status": "disabled"})
        assert disabled.status_code == 200, disabled.text
    try:
        with gateway.client("admin") as http:
            after = http.get(HYPERVISORS + "/statistics").json()["hypervisor_statistics"]
        assert after["count"] == before["count"] - 1
        assert after["vcpus"] == before["vcpus"] - 4
        assert after["memory_mb"] == before["memory_mb"] - 8192
    finally:
        with gateway.client("admin", version="2.53") as http:
            http.put(f"{SERVICES}/{uid}", json={"status": "enabled"})
    with gateway.client("admin", version="2.88") as latest:
        assert latest.get(HYPERVISORS + "/statistics").status_code == 404
        assert latest.get(f"{HYPERVISORS}/{uid}/uptime").status_code == 404
    with gateway.client("admin", version="2.87") as old:
        uptime = old.get(f"{HYPERVISORS}/{uid}/uptime")
        assert uptime.status_code == 501
        assert "notImplemented" in uptime.json()


def test_state_follows_the_ready_condition(gateway: GatewayHandle, node: str, admin: httpx.Client) -> None:
    core = client.CoreV1Api(gateway.api_client)
    core.patch_node(node, {"metadata": {"annotations": {READY_ANNOTATION: "false"}}})
    wait_for(lambda: known(admin, node)["state"] == "down", timeout=20, message="hypervisor down")
    core.patch_node(node, {"metadata": {"annotations": {READY_ANNOTATION: None}}})
    wait_for(lambda: known(admin, node)["state"] == "up", timeout=20, message="hypervisor up again")


def test_admin_only(gateway: GatewayHandle, node: str) -> None:
    with gateway.client("demo-manager", version="2.53") as member:
        for path in (HYPERVISORS, HYPERVISORS + "/detail", f"{HYPERVISORS}/{uuid.uuid4()}"):
            response = member.get(path)
            assert response.status_code == 403, path
    with gateway.client("demo-manager") as member:
        assert member.get(HYPERVISORS + "/statistics").status_code == 403


def test_samples(gateway: GatewayHandle, node: str) -> None:
    def normalised(body: dict[str, Any]) -> dict[str, Any]:
        text = json.dumps(body).replace(node, "host1")
        hyp: dict[str, Any] = json.loads(text)["hypervisor"]
        hyp["host_ip"] = "192.168.1.135"
        return {"hypervisor": hyp}

    uid = node_object(gateway, node).metadata.uid
    for version in ("2.53", "2.88"):
        with gateway.client("admin", version=version) as http:
            body = http.get(f"{HYPERVISORS}/{uid}").json()
        assert_sample("hypervisors", version, "hypervisors-show-resp", normalised(body), base_url=gateway.url)


# ----- servers placed by the operator --------------------------------------------------------


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


def test_usage_of_placed_servers(
    gateway: GatewayHandle, managed_node: ManagedNodeFactory, compute: Compute, admin: httpx.Client
) -> None:
    """A Node alone in a zone of its own; a server booted into the zone lands there and its flavor
    shows as the hypervisor's usage. While it runs, the zone cannot be renamed and the compute
    service cannot be deleted."""
    host = managed_node(unique("hv-used"), cpu="2", memory="4Gi")
    uid = known(admin, host)["id"]
    zone = unique("az-hv")
    agg = admin.post(AGGREGATES, json={"aggregate": {"name": unique("agg-hv"), "availability_zone": zone}})
    agg_id = agg.json()["aggregate"]["id"]
    try:
        assert (
            admin.post(f"{AGGREGATES}/{agg_id}/action", json={"add_host": {"host": host}}).status_code == 200
        )
        flavor = compute.flavor(vcpus=1, ram=256, disk=1, ephemeral=1, swap=512)
        server = compute.create_server(
            unique("srv"), flavor=flavor, image=compute.image(), availabilityZone=zone
        )
        name = server["metadata"]["name"]
        placed = compute.wait_status(name, "ACTIVE", timeout=90)
        assert placed["status"]["host"] == host

        def listed() -> dict[str, Any] | None:
            shown = admin.get(f"{HYPERVISORS}/{uid}", params={"with_servers": "true"}).json()["hypervisor"]
            return shown if shown.get("servers") else None

        hyp = wait_for(listed, timeout=15, message="server listed on its hypervisor")
        assert hyp is not None
        assert hyp["servers"] == [{"name": name, "uuid": placed["metadata"]["uid"]}]
        with gateway.client("admin", version="2.87") as old:
            figures = old.get(f"{HYPERVISORS}/{uid}").json()["hypervisor"]
        # root 1 + ephemeral 1 + swap 512 MiB rounded up to 1 GiB
        assert (figures["vcpus_used"], figures["memory_mb_used"], figures["local_gb_used"]) == (1, 256, 3)
        assert (figures["running_vms"], figures["free_ram_mb"]) == (1, 4096 - 256)

        rezone = admin.put(f"{AGGREGATES}/{agg_id}", json={"aggregate": {"availability_zone": zone + "-new"}})
        assert rezone.status_code == 400
        assert rezone.json()["badRequest"]["message"] == (
            f"Cannot update aggregate {agg_id}. Reason: One or more hosts contain instances in this zone."
        )
        refused = admin.delete(f"{SERVICES}/{uid}")
        assert refused.status_code == 409
        assert "hosting instances" in refused.json()["conflictingRequest"]["message"]

        compute.delete_server(name)
        compute.wait_gone(name, timeout=60)
        wait_for(
            lambda: (
                admin.get(f"{HYPERVISORS}/{uid}", params={"with_servers": "1"}).json()["hypervisor"][
                    "servers"
                ]
                == []
            ),
            timeout=15,
            message="usage released",
        )
    finally:
        admin.post(f"{AGGREGATES}/{agg_id}/action", json={"remove_host": {"host": host}})
        admin.delete(f"{AGGREGATES}/{agg_id}")
