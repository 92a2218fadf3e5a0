"""Server tags: ``/servers/{id}/tags`` and single tags (from 2.26)."""

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


def test_tags(servers: ServerFactory) -> None:
    server_id = servers.active(tags=["one"])["id"]
    url = f"{SERVERS}/{server_id}/tags"
    with servers.gateway.client("demo-member", version="2.25") as http:
        assert http.get(url).status_code == 404
    with servers.gateway.client("demo-member", version=LATEST) as http:
        assert http.get(url).json() == {"tags": ["one"]}
        added = http.put(f"{url}/two")
        assert added.status_code == 201
        assert added.headers["Location"].endswith(f"/servers/{server_id}/tags/two")
        assert http.put(f"{url}/two").status_code == 204
        assert http.get(f"{url}/two").status_code == 204
        assert _message(http.get(f"{url}/three"), 404) == f"Server {server_id} has no tag 'three'"
        assert http.get(url).json() == {"tags": ["one", "two"]}
        assert http.put(url, json={"tags": ["x", "y", "x"]}).json() == {"tags": ["x", "y"]}
        assert http.delete(f"{url}/x").status_code == 204
        assert _message(http.delete(f"{url}/x"), 404) == f"Instance {server_id} has no tag 'x'"
        assert http.put(url, json={"tags": ["a/b"]}).status_code == 400
        assert _message(http.put(f"{url}/a,b"), 400).startswith("Tag 'a,b' is invalid.")
        too_many = http.put(url, json={"tags": [f"t{i}" for i in range(51)]})
        assert _message(too_many, 400) == "The number of tags exceeded the per-server limit 50"
        assert http.put(url, json={"tags": [f"t{i}" for i in range(50)]}).status_code == 200
        assert _message(http.put(f"{url}/t50"), 400) == "The number of tags exceeded the per-server limit 50"
        # Nova counts before it looks: even a tag the server has is refused at the limit.
        assert _message(http.put(f"{url}/t0"), 400) == "The number of tags exceeded the per-server limit 50"
        assert http.delete(url).status_code == 204
        assert http.get(url).json() == {"tags": []}
        shown = http.get(f"{SERVERS}/{server_id}").json()["server"]
        assert shown["tags"] == []
    with servers.gateway.client("demo-reader", version=LATEST) as http:
        assert http.get(url).status_code == 200
        assert http.put(f"{url}/nope").status_code == 403


def test_tag_writes_need_a_settled_server(servers: ServerFactory) -> None:
    server_id = servers.create()["id"]
    with servers.gateway.client("demo-member", version=LATEST) as http:
        message = _message(http.put(f"{SERVERS}/{server_id}/tags/early"), 409)
        assert message.startswith(
            f"Cannot 'update tag' instance {server_id} while it is in vm_state building"
        )
    servers.wait_status(server_id, "ACTIVE")
