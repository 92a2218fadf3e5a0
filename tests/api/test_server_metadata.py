"""Server metadata: ``/servers/{id}/metadata`` and its items."""

from __future__ import annotations

import httpx
import pytest

from tests.api.test_server_support import LATEST, SERVERS, ServerFactory, boot, servers

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]


def _message(response: httpx.Response, code: int) -> str:
    assert response.status_code == code, response.text
    ((_, fault),) = response.json().items()
    return str(fault["message"])


def test_metadata_collection_and_items(servers: ServerFactory) -> None:
    server_id = servers.active(metadata={"a": "1"})["id"]
    url = f"{SERVERS}/{server_id}/metadata"
    # OSC sends no microversion for metadata: 2.1.
    with servers.gateway.client("demo-member") as http:
        assert http.get(url).json() == {"metadata": {"a": "1"}}
        merged = http.post(url, json={"metadata": {"b": "2", "a": "one"}})
        assert merged.status_code == 200, merged.text
        assert merged.json() == {"metadata": {"a": "one", "b": "2"}}
        replaced = http.put(url, json={"metadata": {"c": "3"}})
        assert replaced.json() == {"metadata": {"c": "3"}}
        assert http.get(f"{url}/c").json() == {"meta": {"c": "3"}}
        assert http.put(f"{url}/d", json={"meta": {"d": "4"}}).json() == {"meta": {"d": "4"}}
        assert http.get(url).json() == {"metadata": {"c": "3", "d": "4"}}
        assert http.delete(f"{url}/c").status_code == 204
        assert _message(http.get(f"{url}/c"), 404) == "Metadata item was not found"
        assert _message(http.delete(f"{url}/c"), 404) == "Metadata item was not found"
        assert (
            _message(http.put(f"{url}/e", json={"meta": {"f": "x"}}), 400) == "Request body and URI mismatch"
        )
        too_many = http.put(f"{url}/e", json={"meta": {"e": "x", "f": "y"}})
        # Nova's schema (maxProperties 1) refuses it before its "too many items" check could.
        assert _message(too_many, 400) == (
            "Invalid input for field/attribute meta. Value: {'e': 'x', 'f': 'y'}. "
            "{'e': 'x', 'f': 'y'} has too many properties"
        )
        assert http.post(url, json={"metadata": {"bad/key": "x"}}).status_code == 400
        assert http.post(url, json={"metadata": {"k": 1}}).status_code == 400
        over = http.post(url, json={"metadata": {f"k{i}": "v" for i in range(128)}})
        assert _message(over, 403) == "Maximum number of metadata items exceeds 128"
    assert servers.show("demo-member", server_id).json()["server"]["metadata"] == {"d": "4"}
    with servers.gateway.client("demo-reader") as http:
        assert http.get(url).status_code == 200
        assert http.post(url, json={"metadata": {"x": "y"}}).status_code == 403


def test_metadata_writes_need_a_settled_unlocked_server(servers: ServerFactory) -> None:
    server_id = servers.create()["id"]
    url = f"{SERVERS}/{server_id}/metadata"
    with servers.gateway.client("demo-member") as http:
        building = _message(http.post(url, json={"metadata": {"a": "b"}}), 409)
        assert building.startswith(f"Cannot 'update metadata' instance {server_id} while it is in ")
    servers.wait_status(server_id, "ACTIVE")
    with servers.gateway.client("demo-member", version=LATEST) as http:
        assert http.post(f"{SERVERS}/{server_id}/action", json={"lock": None}).status_code == 202
        assert (
            _message(http.put(f"{url}/a", json={"meta": {"a": "b"}}), 409)
            == f"Instance {server_id} is locked"
        )
    with servers.gateway.client("admin") as http:
        assert http.put(f"{url}/a", json={"meta": {"a": "b"}}).status_code == 200
