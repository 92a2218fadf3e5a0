"""evacuate through the gateway: Nova's answers before anything is written (schema per
microversion, 403 for members, 404 for an unknown target host, 400 for the same host, for a
forced evacuation without a host and for a host whose compute service is up, 409 for the state),
then, the host forced down (``os-services``), the evacuation: 200 with ``adminPass`` before 2.14
and no body from 2.14, the server ACTIVE on another host (SHUTOFF from 2.95), the migration in
``/os-migrations`` (type evacuation, ``done``) and the ``evacuate`` instance action with its
event."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.test_server_support import LATEST, SERVERS, ServerFactory, boot, servers, unique
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]

SERVICES = "/compute/v2.1/os-services"
MIGRATIONS = "/compute/v2.1/os-migrations"


def _act(
    servers: ServerFactory, server_id: str, body: Any, user: str = "admin", version: str = LATEST
) -> httpx.Response:
    with servers.gateway.client(user, version=version) as http:
        return http.post(f"{SERVERS}/{server_id}/action", json=body)


def _message(response: httpx.Response, code: int) -> str:
    assert response.status_code == code, response.text
    ((_, fault),) = response.json().items()
    return str(fault["message"])


def _host_of(servers: ServerFactory, server_id: str) -> str:
    return str(servers.show("admin", server_id).json()["server"]["OS-EXT-SRV-ATTR:host"])


@pytest.fixture
def node(managed_node: ManagedNodeFactory, gateway: GatewayHandle) -> str:
    name = managed_node(unique("evac"))
    with gateway.client("admin", version="2.53") as http:
        wait_for(
            lambda: http.get(SERVICES, params={"host": name}).json()["services"],
            timeout=15,
            message=f"gateway knows {name}",
        )
    return name


def _force_down(gateway: GatewayHandle, host: str) -> None:
    with gateway.client("admin", version="2.53") as http:
        (service,) = http.get(SERVICES, params={"host": host}).json()["services"]
        down = http.put(f"{SERVICES}/{service['id']}", json={"forced_down": True})
        assert down.status_code == 200, down.text
        assert down.json()["service"]["state"] == "down"


def test_evacuate_refusals(servers: ServerFactory, node: str) -> None:
    server_id = servers.active("demo-member")["id"]
    host = _host_of(servers, server_id)
    evacuate = {"evacuate": {}}
    # Policy: admins only.
    assert _act(servers, server_id, evacuate, user="demo-member").status_code == 403
    # Schemas: onSharedStorage is required before 2.14 and refused from 2.14; force from 2.29 to 2.67.
    assert _act(servers, server_id, evacuate, version="2.1").status_code == 400
    assert (
        _act(servers, server_id, {"evacuate": {"onSharedStorage": False}}, version="2.14").status_code == 400
    )
    assert (
        _act(servers, server_id, {"evacuate": {"host": node, "force": True}}, version="2.28").status_code
        == 400
    )
    assert (
        _act(servers, server_id, {"evacuate": {"host": node, "force": False}}, version="2.68").status_code
        == 400
    )
    assert _act(servers, server_id, {"evacuate": {"host": 1}}).status_code == 400
    assert _act(servers, server_id, {"evacuate": {"host": None}}).status_code == 400
    assert _act(servers, server_id, {"evacuate": {"other": 1}}).status_code == 400
    assert _message(_act(servers, server_id, {"evacuate": {"force": True}}, version="2.29"), 400) == (
        "Can't force to a non-provided destination"
    )
    shared = {"evacuate": {"onSharedStorage": True, "adminPass": "x"}}
    assert _message(_act(servers, server_id, shared, version="2.13"), 400) == (
        "admin password can't be changed on existing disk"
    )
    # The target host.
    assert _message(_act(servers, server_id, {"evacuate": {"host": "nowhere"}}), 404) == (
        "Compute host nowhere not found."
    )
    assert _message(_act(servers, server_id, {"evacuate": {"host": host}}), 400) == (
        "The target host can't be the same one."
    )
    # The server's compute service is up.
    assert _message(_act(servers, server_id, evacuate), 400) == f"Compute service of {host} is still in use."
    # The state comes before the service.
    assert _act(servers, server_id, {"pause": None}).status_code == 202
    servers.wait_status(server_id, "PAUSED")
    assert _message(_act(servers, server_id, evacuate), 409) == (
        f"Cannot 'evacuate' instance {server_id} while it is in vm_state paused"
    )
    with servers.gateway.client("admin", version=LATEST) as http:
        actions = http.get(f"{SERVERS}/{server_id}/os-instance-actions").json()["instanceActions"]
        assert "evacuate" not in [a["action"] for a in actions]
        assert http.get(MIGRATIONS, params={"instance_uuid": server_id}).json()["migrations"] == []


def _moved(servers: ServerFactory, server_id: str, source: str, status: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        server: dict[str, Any] = servers.show("admin", server_id).json()["server"]
        settled = server["OS-EXT-STS:task_state"] is None and server["status"] == status
        return server if settled and server["OS-EXT-SRV-ATTR:host"] != source else None

    found = wait_for(done, timeout=60, message=f"{server_id} evacuated from {source}")
    assert found is not None
    return found


def test_evacuate_a_forced_down_host(servers: ServerFactory, gateway: GatewayHandle, node: str) -> None:
    placed = {"availability_zone": f"nova:{node}"}
    old = servers.active("admin", **placed)["id"]
    new = servers.active("admin", **placed)["id"]
    assert _host_of(servers, old) == node
    assert _host_of(servers, new) == node
    _force_down(gateway, node)

    # Before 2.14: 200 with the password (the one given).
    answer = _act(
        servers, old, {"evacuate": {"onSharedStorage": False, "adminPass": "S3cret"}}, version="2.13"
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"adminPass": "S3cret"}
    server = _moved(servers, old, node, "ACTIVE")
    target = server["OS-EXT-SRV-ATTR:host"]
    with gateway.client("admin", version=LATEST) as http:
        (record,) = http.get(MIGRATIONS, params={"instance_uuid": old}).json()["migrations"]
        (action,) = [
            a
            for a in http.get(f"{SERVERS}/{old}/os-instance-actions").json()["instanceActions"]
            if a["action"] == "evacuate"
        ]
        detail = http.get(f"{SERVERS}/{old}/os-instance-actions/{action['request_id']}").json()
    assert (record["migration_type"], record["status"]) == ("evacuation", "done")
    assert (record["source_compute"], record["dest_compute"]) == (node, target)
    (event,) = detail["instanceAction"]["events"]
    assert (event["event"], event["result"]) == ("compute_rebuild_instance", "Success")

    # From 2.14 no body; from 2.95 the server ends stopped.
    answer = _act(servers, new, {"evacuate": {}})
    assert (answer.status_code, answer.content) == (200, b"")
    server = _moved(servers, new, node, "SHUTOFF")
    assert server["OS-EXT-STS:vm_state"] == "stopped"
