"""``POST /servers`` with ``min_count``/``max_count`` that does not fit whole: the request is
accepted (202, its reservation id), then every server of it goes to ERROR with Nova's
``NoValidHost`` fault ("There are not enough hosts available."), none gets a host — as Nova's
conductor buries every instance of a request whose ``select_destinations`` failed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.test_server_support import (
    LATEST,
    SERVERS,
    ServerFactory,
    boot,  # noqa: F401 - fixture
    create_flavor,
    delete_flavor,
    servers,  # noqa: F401 - fixture
    unique,
)
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.support.wait import wait_for

AGGREGATES = "/compute/v2.1/os-aggregates"
SERVICES = "/compute/v2.1/os-services"
HOST = "OS-EXT-SRV-ATTR:host"


@pytest.fixture
def small_zone(gateway: GatewayHandle, managed_node: ManagedNodeFactory) -> Iterator[str]:
    """A zone of one Node with 4 vCPUs at allocation ratio 1.0: two 2-vCPU servers fit."""
    with gateway.client("admin") as admin:
        node = managed_node(unique("mc-host"), cpu="4", memory="64Gi")
        wait_for(
            lambda: admin.get(SERVICES, params={"host": node}).json()["services"],
            timeout=15,
            message=f"gateway knows {node}",
        )
        zone = unique("az-mc")
        made = admin.post(
            AGGREGATES, json={"aggregate": {"name": unique("agg-mc"), "availability_zone": zone}}
        )
        agg_id = made.json()["aggregate"]["id"]
        admin.post(f"{AGGREGATES}/{agg_id}/action", json={"add_host": {"host": node}})
        ratio = {"set_metadata": {"metadata": {"cpu_allocation_ratio": "1.0"}}}
        assert admin.post(f"{AGGREGATES}/{agg_id}/action", json=ratio).status_code == 200
        try:
            yield zone
        finally:
            admin.post(f"{AGGREGATES}/{agg_id}/action", json={"remove_host": {"host": node}})
            admin.delete(f"{AGGREGATES}/{agg_id}")


def test_a_multi_create_that_does_not_fit_whole_puts_every_server_in_error(
    servers: ServerFactory,  # noqa: F811
    small_zone: str,
) -> None:
    flavor = create_flavor(servers.gateway, vcpus=2, ram=64)
    try:
        body = servers.body(
            unique("mc"),
            flavorRef=flavor,
            availability_zone=small_zone,
            min_count=3,
            max_count=3,
            return_reservation_id=True,
        )
        response = servers.post(body=body)
        assert response.status_code == 202, response.text
        reservation = response.json()["reservation_id"]
        with servers.gateway.client("demo-member", version=LATEST) as http:
            listed = http.get(f"{SERVERS}/detail", params={"reservation_id": reservation}).json()["servers"]
        assert len(listed) == 3
        for server in listed:
            shown: dict[str, Any] = servers.wait_status(server["id"], "ERROR")
            fault = shown["fault"]
            assert fault["code"] == 500
            assert fault["message"] == "No valid host was found. There are not enough hosts available."
            assert "details" not in fault  # a 500 fault's details are for admins only, as in Nova
            admin_view = servers.show("admin", server["id"]).json()["server"]
            assert admin_view[HOST] is None
            details = admin_view["fault"]["details"]
            assert details.startswith("2 of the 3 instances of the request found a host. Filter results: ")
    finally:
        servers.cleanup()
        servers.created.clear()
        delete_flavor(servers.gateway, flavor)
