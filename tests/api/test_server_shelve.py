"""shelve / shelveOffload / unshelve through the gateway: Nova's answers before anything is written
(409 for the state, 403 for the admin-only offload and unshelve-to-host, 400 for an unavailable
zone or unknown host and for bodies outside the 2.77/2.91 schemas), the status Nova shows
(SHELVED, SHELVED_OFFLOADED with no host) and the hypervisor usage the offload frees."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.test_server_resize import vcpus_used
from tests.api.test_server_support import LATEST, SERVERS, ServerFactory, boot, servers, unique
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]
HOST = "OS-EXT-SRV-ATTR:host"
AGGREGATES = "/compute/v2.1/os-aggregates"
SERVICES = "/compute/v2.1/os-services"


def _act(
    servers: ServerFactory, server_id: str, body: Any, *, user: str = "demo-member", version: str = LATEST
) -> httpx.Response:
    with servers.gateway.client(user, version=version) as http:
        return http.post(f"{SERVERS}/{server_id}/action", json=body)


def _message(response: httpx.Response, code: int) -> str:
    assert response.status_code == code, response.text
    ((_, fault),) = response.json().items()
    return str(fault["message"])


def _show(servers: ServerFactory, server_id: str) -> dict[str, Any]:
    response = servers.show("admin", server_id)
    assert response.status_code == 200, response.text
    server: dict[str, Any] = response.json()["server"]
    return server


def _events(servers: ServerFactory, server_id: str, action: str) -> list[dict[str, Any]]:
    with servers.gateway.client("admin", version=LATEST) as http:
        listed = http.get(f"{SERVERS}/{server_id}/os-instance-actions").json()["instanceActions"]
        request_id = next(a["request_id"] for a in listed if a["action"] == action)
        detail = http.get(f"{SERVERS}/{server_id}/os-instance-actions/{request_id}").json()
    events: list[dict[str, Any]] = detail["instanceAction"]["events"]
    return events


def test_shelve_offloads_at_once_and_unshelve_comes_back(
    servers: ServerFactory, gateway: GatewayHandle
) -> None:
    server_id = servers.active()["id"]
    host = _show(servers, server_id)[HOST]
    assert _message(_act(servers, server_id, {"unshelve": None}), 409) == (
        f"Cannot 'unshelve' instance {server_id} while it is in vm_state active"
    )
    assert _message(_act(servers, server_id, {"shelveOffload": None}, user="admin"), 409) == (
        f"Cannot 'shelveOffload' instance {server_id} while it is in vm_state active"
    )
    used = vcpus_used(gateway)
    assert _act(servers, server_id, {"shelve": None}).status_code == 202
    # The task the intent implies is shown (and checked) at once, as Nova sets it synchronously.
    assert _message(_act(servers, server_id, {"shelve": None}), 409).startswith("Cannot 'shelve' instance")
    offloaded = servers.wait_status(server_id, "SHELVED_OFFLOADED")
    assert offloaded["OS-EXT-STS:vm_state"] == "shelved_offloaded"
    assert offloaded["OS-EXT-STS:power_state"] == 4  # SHUTDOWN
    assert _show(servers, server_id)[HOST] is None
    assert vcpus_used(gateway) == used - servers.boot.flavor_vcpus  # the host's capacity is released
    assert [e["event"] for e in _events(servers, server_id, "shelve")] == ["compute_shelve_instance"]
    assert _message(_act(servers, server_id, {"shelve": None}), 409) == (
        f"Cannot 'shelve' instance {server_id} while it is in vm_state shelved_offloaded"
    )

    assert _act(servers, server_id, {"unshelve": None}).status_code == 202
    active = servers.wait_status(server_id, "ACTIVE")
    assert active["OS-EXT-STS:power_state"] == 1
    assert _show(servers, server_id)[HOST] is not None
    assert host is not None
    assert vcpus_used(gateway) == used
    events = _events(servers, server_id, "unshelve")
    assert [(e["event"], e["result"]) for e in events] == [("compute_unshelve_instance", "Success")]


def test_unshelve_schemas_per_microversion(servers: ServerFactory) -> None:
    server_id = servers.active()["id"]
    for version, body in (
        ("2.77", {"unshelve": {}}),  # availability_zone is required in 2.77-2.90
        ("2.77", {"unshelve": {"availability_zone": "nova", "host": "x"}}),
        ("2.90", {"unshelve": {"host": "x"}}),
        ("2.77", {"unshelve": {"availability_zone": " lead"}}),
        ("2.77", {"unshelve": {"availability_zone": None}}),  # null unpins only from 2.91
        ("2.91", {"unshelve": {"host": None}}),
        ("2.91", {"unshelve": {"foo": "bar"}}),
        ("2.91", {"unshelve": {"availability_zone": 1}}),
        ("2.77", {"unshelve": "nova"}),
    ):
        response = _act(servers, server_id, body, version=version)
        assert response.status_code == 400, (version, body, response.text)
    # Before 2.77 the body is not looked at: the state check answers.
    response = _act(servers, server_id, {"unshelve": {"availability_zone": "x"}}, version="2.76")
    assert _message(response, 409).startswith("Cannot 'unshelve' instance")
    assert _act(servers, server_id, {"unshelve": {}}, version="2.91").status_code == 409  # valid, wrong state
    # Readers may not shelve; members may not offload.
    assert _act(servers, server_id, {"shelve": None}, user="demo-reader").status_code == 403


def test_shelved_keeps_host_offload_is_admin_and_unshelve_targets(
    servers: ServerFactory, gateway: GatewayHandle, never_offload: None
) -> None:
    server_id = servers.active()["id"]
    host = _show(servers, server_id)[HOST]
    used = vcpus_used(gateway)
    assert _act(servers, server_id, {"shelve": None}).status_code == 202
    shelved = servers.wait_status(server_id, "SHELVED")
    assert shelved["OS-EXT-STS:vm_state"] == "shelved"
    assert _show(servers, server_id)[HOST] == host
    assert vcpus_used(gateway) == used  # SHELVED still holds the host

    # A zone or a host is only for an offloaded server (Nova's UnshelveInstanceInvalidState).
    refused = _act(servers, server_id, {"unshelve": {"availability_zone": "nova"}}, version="2.77")
    assert _message(refused, 409) == (
        f'Specifying an availability zone or a host when unshelving server "{server_id}" with status '
        '"shelved" is not supported. The server status must be SHELVED_OFFLOADED.'
    )
    member = _act(servers, server_id, {"shelveOffload": None})
    assert _message(member, 403).endswith("os_compute_api:os-shelve:shelve_offload to be performed.")
    assert _act(servers, server_id, {"shelveOffload": None}, user="admin").status_code == 202
    servers.wait_status(server_id, "SHELVED_OFFLOADED")
    assert _show(servers, server_id)[HOST] is None
    assert vcpus_used(gateway) == used - servers.boot.flavor_vcpus

    refused = _act(servers, server_id, {"unshelve": {"availability_zone": "no-such-zone"}}, version="2.77")
    assert _message(refused, 400) == "The requested availability zone is not available"
    to_host = {"unshelve": {"host": host}}
    refused = _act(servers, server_id, to_host, version="2.91")
    assert _message(refused, 403).endswith("os_compute_api:os-shelve:unshelve_to_host to be performed.")
    refused = _act(servers, server_id, {"unshelve": {"host": "no-such-host"}}, user="admin", version="2.91")
    assert _message(refused, 400) == "Compute host no-such-host could not be found."
    body = {"unshelve": {"availability_zone": None, "host": host}}
    assert _act(servers, server_id, body, user="admin", version="2.91").status_code == 202
    servers.wait_status(server_id, "ACTIVE")
    assert _show(servers, server_id)[HOST] == host
    assert vcpus_used(gateway) == used


def test_delete_of_an_offloaded_server_is_not_a_soft_delete(servers: ServerFactory) -> None:
    """Nova deletes a server without a host at once, also with a reclaim interval (local delete)."""
    settings = servers.gateway.settings
    server_id = servers.active()["id"]
    assert _act(servers, server_id, {"shelve": None}).status_code == 202
    servers.wait_status(server_id, "SHELVED_OFFLOADED")
    settings.reclaim_instance_interval_seconds = 3600
    try:
        with servers.gateway.client("demo-member", version=LATEST) as http:
            assert http.delete(f"{SERVERS}/{server_id}").status_code == 204
        servers.wait_gone(server_id)
    finally:
        settings.reclaim_instance_interval_seconds = 0


@pytest.fixture
def other_zone(
    gateway: GatewayHandle, operator: OperatorHandle, managed_node: ManagedNodeFactory
) -> Iterator[tuple[str, str]]:
    """(node, zone): a Node of this test that takes servers, alone in a zone of its own."""
    with gateway.client("admin") as admin:
        node = managed_node(unique("shv-host"))
        wait_for(
            lambda: admin.get(SERVICES, params={"host": node}).json()["services"],
            timeout=15,
            message=f"gateway knows {node}",
        )
        zone = unique("az-shv")
        made = admin.post(
            AGGREGATES, json={"aggregate": {"name": unique("agg-shv"), "availability_zone": zone}}
        )
        agg_id = made.json()["aggregate"]["id"]
        admin.post(f"{AGGREGATES}/{agg_id}/action", json={"add_host": {"host": node}})
        try:
            yield node, zone
        finally:
            admin.post(f"{AGGREGATES}/{agg_id}/action", json={"remove_host": {"host": node}})
            admin.delete(f"{AGGREGATES}/{agg_id}")


def test_unshelve_to_a_host_outside_the_pinned_zone(
    servers: ServerFactory, other_zone: tuple[str, str]
) -> None:
    node, zone = other_zone
    server_id = servers.active(availability_zone="nova")["id"]
    assert _act(servers, server_id, {"shelve": None}).status_code == 202
    servers.wait_status(server_id, "SHELVED_OFFLOADED")
    refused = _act(servers, server_id, {"unshelve": {"host": node}}, user="admin", version="2.91")
    assert _message(refused, 409) == f'Host "{node}" is not in the availability zone "nova".'
    mismatch = {"unshelve": {"availability_zone": "nova", "host": node}}
    assert _act(servers, server_id, mismatch, user="admin", version="2.91").status_code == 409
    moved = {"unshelve": {"availability_zone": zone, "host": node}}
    assert _act(servers, server_id, moved, user="admin", version="2.91").status_code == 202
    active = servers.wait_status(server_id, "ACTIVE")
    assert active["OS-EXT-AZ:availability_zone"] == zone
    assert _show(servers, server_id)[HOST] == node
