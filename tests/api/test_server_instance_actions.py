"""Instance actions (``/servers/{id}/os-instance-actions``): the record of what was done, by whom,
under which request id, with events and paging by microversion."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_server_support import (
    LATEST,
    SERVERS,
    ServerFactory,
    boot,
    create_flavor,
    delete_flavor,
    servers,
)
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]


def _actions(
    servers: ServerFactory, server_id: str, *, user: str = "demo-member", version: str = "2.84", **query: Any
) -> dict[str, Any]:
    with servers.gateway.client(user, version=version) as http:
        response = http.get(f"{SERVERS}/{server_id}/os-instance-actions", params=query)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def test_the_record_of_create_stop_start_lock(servers: ServerFactory) -> None:
    created = servers.create()
    server_id = created["id"]
    servers.wait_status(server_id, "ACTIVE")
    request_ids: dict[str, str] = {}
    with servers.gateway.client("demo-member", version=LATEST) as http:
        stop = http.post(f"{SERVERS}/{server_id}/action", json={"os-stop": None})
        request_ids["stop"] = stop.headers["X-OpenStack-Request-Id"]
    servers.wait_status(server_id, "SHUTOFF")
    with servers.gateway.client("demo-member", version=LATEST) as http:
        start = http.post(f"{SERVERS}/{server_id}/action", json={"os-start": None})
        request_ids["start"] = start.headers["X-OpenStack-Request-Id"]
    servers.wait_status(server_id, "ACTIVE")
    with servers.gateway.client("admin", version=LATEST) as http:
        lock = http.post(f"{SERVERS}/{server_id}/action", json={"lock": None})
        request_ids["lock"] = lock.headers["X-OpenStack-Request-Id"]

    listed = _actions(servers, server_id)["instanceActions"]
    assert [a["action"] for a in listed] == ["lock", "start", "stop", "create"]
    by_action = {a["action"]: a for a in listed}
    for action, request_id in request_ids.items():
        assert by_action[action]["request_id"] == request_id
    member, admin = servers.gateway.user_id("demo-member"), servers.gateway.user_id("admin")
    assert by_action["stop"]["user_id"] == member
    assert by_action["lock"]["user_id"] == admin
    assert {a["project_id"] for a in listed} == {servers.gateway.project_id("demo")}
    assert {a["instance_uuid"] for a in listed} == {server_id}
    assert all(a["message"] is None and a["updated_at"] for a in listed)
    assert "updated_at" not in _actions(servers, server_id, version="2.57")["instanceActions"][0]

    with servers.gateway.client("demo-member", version="2.84") as http:
        stop = http.get(f"{SERVERS}/{server_id}/os-instance-actions/{request_ids['stop']}").json()
    (event,) = stop["instanceAction"]["events"]
    assert event["event"] == "compute_stop_instance"
    assert event["result"] == "Success"
    assert event["finish_time"] is not None
    assert len(event["hostId"]) == 56
    assert "traceback" not in event
    assert "host" not in event
    assert event["details"] is None
    with servers.gateway.client("admin", version="2.62") as http:
        as_admin = http.get(f"{SERVERS}/{server_id}/os-instance-actions/{request_ids['stop']}").json()
    (event,) = as_admin["instanceAction"]["events"]
    assert event["host"].startswith("sim-node-") or event["host"]
    assert "traceback" in event
    assert "details" not in event
    with servers.gateway.client("demo-member", version="2.50") as http:
        old = http.get(f"{SERVERS}/{server_id}/os-instance-actions/{request_ids['stop']}").json()
    assert "events" not in old["instanceAction"]
    with servers.gateway.client("demo-member", version="2.84") as http:
        lock_detail = http.get(f"{SERVERS}/{server_id}/os-instance-actions/{request_ids['lock']}").json()
        assert lock_detail["instanceAction"]["events"] == []
        missing = http.get(f"{SERVERS}/{server_id}/os-instance-actions/req-nope")
        assert missing.status_code == 404
        assert missing.json()["itemNotFound"]["message"] == "Action req-nope not found"


def test_paging_and_filters(servers: ServerFactory) -> None:
    server_id = servers.active()["id"]
    with servers.gateway.client("demo-member", version=LATEST) as http:
        http.post(f"{SERVERS}/{server_id}/action", json={"lock": None})
        http.post(f"{SERVERS}/{server_id}/action", json={"unlock": None})
    first = _actions(servers, server_id, limit=1)
    assert [a["action"] for a in first["instanceActions"]] == ["unlock"]
    next_href = first["links"][0]["href"]
    assert next_href.startswith(f"{servers.gateway.compute_url}/servers/{server_id}/os-instance-actions?")
    with servers.gateway.client("demo-member", version="2.84") as http:
        second = http.get(next_href).json()
    assert [a["action"] for a in second["instanceActions"]] == ["lock"]
    rest = _actions(servers, server_id, marker=second["instanceActions"][0]["request_id"])
    assert [a["action"] for a in rest["instanceActions"]] == ["create"]
    assert "links" not in rest
    with servers.gateway.client("demo-member", version="2.84") as http:
        bad = http.get(f"{SERVERS}/{server_id}/os-instance-actions", params={"marker": "req-nope"})
        assert bad.json()["badRequest"]["message"] == "Marker req-nope could not be found."
    assert _actions(servers, server_id, **{"changes-since": "2999-01-01T00:00:00Z"})["instanceActions"] == []
    assert _actions(servers, server_id, **{"changes-before": "2000-01-01T00:00:00Z"})["instanceActions"] == []
    assert len(_actions(servers, server_id, version="2.1", limit=1)["instanceActions"]) == 3


def test_a_failed_build_is_recorded(servers: ServerFactory) -> None:
    """A flavor no host can take (a root disk larger than any Node's, within every quota): the
    server ends in ERROR and its create action says so."""
    huge = create_flavor(servers.gateway, disk=100_000)
    try:
        with servers.gateway.client("admin", version=LATEST) as http:
            response = http.post(SERVERS, json=servers.body(flavorRef=huge))
            assert response.status_code == 202, response.text
            server_id = response.json()["server"]["id"]
            servers.created.append(server_id)
        server = servers.wait_status(server_id, "ERROR", user="admin")
        assert server["fault"]["code"] == 500
        assert server["fault"]["message"].startswith("No valid host was found.")
        assert "details" in server["fault"]  # admins see the details of a 500 fault
        assert "progress" not in server

        def create_failed() -> dict[str, Any] | None:
            listed = _actions(servers, server_id, user="admin")["instanceActions"]
            return listed[0] if listed and listed[0]["message"] == "Error" else None

        action: dict[str, Any] | None = wait_for(
            create_failed, timeout=30, message="create recorded as failed"
        )
        assert action is not None
        with servers.gateway.client("admin", version="2.84") as http:
            detail = http.get(f"{SERVERS}/{server_id}/os-instance-actions/{action['request_id']}").json()
        (event,) = detail["instanceAction"]["events"]
        assert event["event"] == "conductor_schedule_and_build_instances"
        assert event["result"] == "Error"
        assert event["details"].startswith("No valid host was found.")
    finally:
        delete_flavor(servers.gateway, huge)
