"""Server lists: index/detail, filters (user and admin), sorting, paging with absolute next links."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.test_server_support import LATEST, SERVERS, ServerFactory, boot, servers, unique

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]


def _names(http: httpx.Client, path: str = SERVERS, **query: Any) -> list[str]:
    response = http.get(path, params=query)
    assert response.status_code == 200, response.text
    return [s["name"] for s in response.json()["servers"]]


def _three(servers: ServerFactory, prefix: str) -> list[dict[str, Any]]:
    """Three ACTIVE servers named <prefix>-a/-b/-c, created in that order, with distinct tags."""
    made = [
        servers.create(name=f"{prefix}-a", tags=["red", "round"], metadata={"i": "0"}),
        servers.create(name=f"{prefix}-b", tags=["red"]),
        servers.create(name=f"{prefix}-c", tags=["blue"], availability_zone="nova"),
    ]
    return [servers.wait_status(s["id"], "ACTIVE") for s in made]


def test_index_detail_and_user_filters(servers: ServerFactory) -> None:
    prefix = unique("lst")
    a, b, c = _three(servers, prefix)
    with servers.gateway.client("demo-member", version=LATEST) as http:
        index = http.get(SERVERS, params={"name": prefix}).json()["servers"]
        assert {frozenset(s) for s in index} == {frozenset({"id", "name", "links"})}
        # Default order: newest first.
        assert [s["name"] for s in index] == [f"{prefix}-c", f"{prefix}-b", f"{prefix}-a"]
        detail = http.get(f"{SERVERS}/detail", params={"name": prefix}).json()["servers"]
        assert [s["id"] for s in detail] == [c["id"], b["id"], a["id"]]
        assert all(s["status"] == "ACTIVE" for s in detail)

        def names(**query: Any) -> set[str]:
            return set(_names(http, f"{SERVERS}/detail", **{"name": prefix, **query}))

        assert names(name=f"^{prefix}-[ab]$") == {f"{prefix}-a", f"{prefix}-b"}
        assert names(status="ACTIVE") == {f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"}
        assert names(status="SHUTOFF") == set()
        assert names(image=servers.boot.image_id) == {f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"}
        assert names(flavor=servers.boot.flavor_id) == {f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"}
        assert names(flavor="no-such-flavor") == set()
        ip = b["addresses"]["private"][0]["addr"]
        assert names(ip=f"^{ip.replace('.', '[.]')}$") == {f"{prefix}-b"}
        assert names(tags="red") == {f"{prefix}-a", f"{prefix}-b"}
        assert names(tags="red,round") == {f"{prefix}-a"}
        assert names(**{"tags-any": "round,blue"}) == {f"{prefix}-a", f"{prefix}-c"}
        assert names(**{"not-tags": "red,round"}) == {f"{prefix}-b", f"{prefix}-c"}
        assert names(**{"not-tags-any": "round,blue"}) == {f"{prefix}-b"}
        assert names(locked="False") == {f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"}
        assert names(locked="true") == set()
        assert names(availability_zone="nova") == {f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"}
        assert names(user_id=servers.gateway.user_id("demo-member")) == {
            f"{prefix}-a",
            f"{prefix}-b",
            f"{prefix}-c",
        }
        assert names(user_id="someone-else") == set()
        assert names(**{"changes-since": "2000-01-01T00:00:00Z"}) == {
            f"{prefix}-a",
            f"{prefix}-b",
            f"{prefix}-c",
        }
        assert names(**{"changes-before": "2000-01-01T00:00:00Z"}) == set()
        # A non-admin's admin-only filters are dropped silently, as Nova drops them.
        assert names(host="no-such-host") == {f"{prefix}-a", f"{prefix}-b", f"{prefix}-c"}


def test_filter_errors_and_microversions(servers: ServerFactory) -> None:
    with servers.gateway.client("demo-member", version=LATEST) as http:
        refused = http.get(SERVERS, params={"status": "SLEEPY"})
        assert refused.status_code == 400
        assert refused.json()["badRequest"]["message"] == "Invalid status value: SLEEPY"
        unknown = http.get(SERVERS, params={"colour": "red"})
        assert unknown.status_code == 400
        assert "Additional properties are not allowed ('colour' was unexpected)" in unknown.text
        assert http.get(SERVERS, params={"all_tenants": "True"}).status_code == 403
        assert http.get(SERVERS, params={"sort_key": "host"}).status_code == 403
        assert http.get(SERVERS, params={"sort_key": "shoe_size"}).status_code == 400
        assert http.get(SERVERS, params={"marker": "no-such-server"}).json()["badRequest"]["message"] == (
            "marker [no-such-server] not found"
        )
        assert http.get(SERVERS, params={"changes-since": "yesterday"}).status_code == 400
    with servers.gateway.client("demo-member", version="2.37") as http:
        assert http.get(SERVERS, params={"status": "SLEEPY"}).json() == {"servers": []}
    with servers.gateway.client("demo-member", version="2.74") as http:
        assert http.get(SERVERS, params={"colour": "red"}).status_code == 200


def test_sort_and_paging(servers: ServerFactory) -> None:
    prefix = unique("pg")
    made = [servers.create(name=f"{prefix}-{i}") for i in range(3)]
    ids = [s["id"] for s in made]
    with servers.gateway.client("demo-member", version=LATEST) as http:
        by_name = _names(http, SERVERS, name=prefix, sort_key="display_name", sort_dir="asc")
        assert by_name == [f"{prefix}-0", f"{prefix}-1", f"{prefix}-2"]
        assert _names(http, SERVERS, name=prefix, sort_key="display_name") == by_name[::-1]
        # Walk the pages by following the absolute next links, as the SDK does.
        seen: list[str] = []
        query = f"name={prefix}&limit=1&sort_key=display_name&sort_dir=asc"
        url = f"{servers.gateway.compute_url}/servers/detail?{query}"
        while url:
            page = http.get(url).json()
            seen += [s["id"] for s in page["servers"]]
            links = page.get("servers_links", [])
            assert len(page["servers"]) <= 1
            url = links[0]["href"] if links else ""
            if links:
                assert links[0]["rel"] == "next"
                assert links[0]["href"].startswith(f"{servers.gateway.compute_url}/servers/detail?")
        assert seen == ids
        marker = _names(http, SERVERS, name=prefix, sort_key="display_name", sort_dir="asc", marker=ids[0])
        assert marker == [f"{prefix}-1", f"{prefix}-2"]


def test_admin_filters_and_all_tenants(servers: ServerFactory) -> None:
    demo = servers.active(name=unique("t-demo"))
    alt = servers.create("alt-member", name=unique("t-alt"))
    with servers.gateway.client("admin", version=LATEST) as http:
        everywhere = http.get(f"{SERVERS}/detail", params={"all_tenants": "True", "deleted": "False"}).json()
        ids = {s["id"] for s in everywhere["servers"]}
        assert {demo["id"], alt["id"]} <= ids
        alt_project = servers.gateway.project_id("alt")
        only_alt = http.get(SERVERS, params={"all_tenants": "1", "project_id": alt_project}).json()["servers"]
        assert alt["id"] in {s["id"] for s in only_alt}
        assert demo["id"] not in {s["id"] for s in only_alt}
        # project_id without all_tenants is ignored (the caller's own project is listed).
        own = http.get(SERVERS, params={"project_id": alt_project}).json()["servers"]
        assert alt["id"] not in {s["id"] for s in own}
        host = http.get(f"{SERVERS}/{demo['id']}").json()["server"]["OS-EXT-SRV-ATTR:host"]
        on_host = http.get(SERVERS, params={"all_tenants": "True", "host": host}).json()["servers"]
        assert demo["id"] in {s["id"] for s in on_host}
        assert http.get(SERVERS, params={"all_tenants": "True", "host": "nowhere"}).json()["servers"] == []
        node = http.get(SERVERS, params={"all_tenants": "True", "node": host}).json()["servers"]
        assert demo["id"] in {s["id"] for s in node}
        by_uuid = http.get(SERVERS, params={"all_tenants": "True", "uuid": alt["id"]}).json()["servers"]
        assert [s["id"] for s in by_uuid] == [alt["id"]]
        # deleted=True lists deleted servers only (tests/api/test_deleted_servers.py), no live one.
        deleted = http.get(SERVERS, params={"all_tenants": "True", "deleted": "True"}).json()["servers"]
        assert not {demo["id"], alt["id"]} & {s["id"] for s in deleted}
        assert http.get(SERVERS, params={"all_tenants": "True", "sort_key": "host"}).status_code == 200
