"""``GET /servers/{id}/topology`` (2.78): Nova's answer for a server without a guest NUMA topology,
its policy, and the microversion gate."""

from __future__ import annotations

import pytest

from tests.api.test_server_support import SERVERS, ServerFactory, boot, servers

__all__ = ["boot", "servers"]

pytestmark = pytest.mark.cluster


def test_topology_of_a_server_without_numa_topology(servers: ServerFactory) -> None:
    server_id = servers.create()["id"]
    for user in ("demo-reader", "demo-member", "admin"):
        with servers.gateway.client(user, version="2.78") as http:
            response = http.get(f"{SERVERS}/{server_id}/topology")
        assert response.status_code == 200, (user, response.text)
        assert response.json() == {"nodes": [], "pagesize_kb": None}
    with servers.gateway.client("alt-member", version="2.78") as http:
        assert http.get(f"{SERVERS}/{server_id}/topology").status_code == 404  # another project's
    with servers.gateway.client("demo-member", version="2.77") as http:
        assert http.get(f"{SERVERS}/{server_id}/topology").status_code == 404  # before 2.78
    with servers.gateway.client("demo-member", version="2.78") as http:
        missing = http.get(f"{SERVERS}/00000000-0000-4000-8000-000000000000/topology")
    assert missing.status_code == 404
