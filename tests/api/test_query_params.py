"""Unknown query parameters: ignored below 2.75, a 400 with jsonschema's wording from 2.75 on
the routes whose Nova query schemas closed then (servers, flavors, keypairs, limits, quota
sets, services); the routes Nova left open keep ignoring them."""

from __future__ import annotations

import pytest

from tests.fixtures.gateway import GatewayHandle

pytestmark = pytest.mark.cluster


def _strict_paths(gateway: GatewayHandle) -> list[str]:
    project = gateway.project_id("admin")
    return [
        "/compute/v2.1/servers",
        "/compute/v2.1/servers/detail",
        "/compute/v2.1/flavors",
        "/compute/v2.1/flavors/detail",
        "/compute/v2.1/os-keypairs",
        "/compute/v2.1/limits",
        f"/compute/v2.1/os-quota-sets/{project}",
        f"/compute/v2.1/os-quota-sets/{project}/detail",
        "/compute/v2.1/os-services",
    ]


def test_unknown_parameters_refused_from_275(gateway: GatewayHandle) -> None:
    for path in _strict_paths(gateway):
        with gateway.client("admin", version="2.74") as old:
            assert old.get(path, params={"colour": "blue"}).status_code == 200, path
        with gateway.client("admin", version="2.75") as new:
            known = new.get(path)
            one = new.get(path, params={"colour": "blue"})
            two = new.get(path, params={"zeta": "1", "colour": "blue"})
        assert known.status_code == 200, (path, known.text)
        assert one.status_code == 400, path
        assert (
            one.json()["badRequest"]["message"]
            == "Additional properties are not allowed ('colour' was unexpected)"
        )
        assert two.json()["badRequest"]["message"] == (
            "Additional properties are not allowed ('colour', 'zeta' were unexpected)"
        )


def test_known_parameters_stay_accepted_at_275(gateway: GatewayHandle) -> None:
    project = gateway.project_id("admin")
    with gateway.client("admin", version="2.75") as http:
        assert (
            http.get("/compute/v2.1/flavors", params={"is_public": "None", "sort_key": "name"}).status_code
            == 200
        )
        assert http.get("/compute/v2.1/os-keypairs", params={"limit": "1"}).status_code == 200
        assert http.get("/compute/v2.1/limits", params={"tenant_id": project}).status_code == 200
        assert http.get("/compute/v2.1/servers", params={"name": "x", "limit": "5"}).status_code == 200
        # Nova left these open: unknown parameters are still ignored.
        assert http.get("/compute/v2.1/os-availability-zone", params={"colour": "blue"}).status_code == 200
        assert (
            http.get(f"/compute/v2.1/os-quota-sets/{project}/defaults", params={"x": "1"}).status_code == 200
        )


def test_routes_closed_at_2102(gateway: GatewayHandle) -> None:
    """Nova's 2.102 closes the query strings of the routes that still allowed anything."""
    project = gateway.project_id("admin")
    paths = [
        "/compute/v2.1/os-aggregates",
        "/compute/v2.1/os-availability-zone",
        "/compute/v2.1/os-availability-zone/detail",
        "/compute/v2.1/extensions",
        "/compute/v2.1/extensions/os-hosts",
        "/compute/v2.1/os-quota-class-sets/default",
    ]
    for path in paths:
        with gateway.client("admin", version="2.101") as old:
            assert old.get(path, params={"colour": "blue"}).status_code == 200, path
        with gateway.client("admin", version="2.102") as new:
            assert new.get(path).status_code == 200, path
            refused = new.get(path, params={"colour": "blue"})
        assert refused.status_code == 400, path
        assert refused.json()["badRequest"]["message"] == (
            "Additional properties are not allowed ('colour' was unexpected)"
        )
    with gateway.client("admin", version="2.102") as new:
        # Nova's defaults route keeps its open query schema.
        assert (
            new.get(f"/compute/v2.1/os-quota-sets/{project}/defaults", params={"x": "1"}).status_code == 200
        )


def test_hypervisors_closed_at_253(gateway: GatewayHandle) -> None:
    with gateway.client("admin", version="2.52") as old:
        assert old.get("/compute/v2.1/os-hypervisors", params={"colour": "blue"}).status_code == 200
    with gateway.client("admin", version="2.53") as new:
        assert new.get("/compute/v2.1/os-hypervisors", params={"with_servers": "true"}).status_code == 200
        refused = new.get("/compute/v2.1/os-hypervisors/detail", params={"colour": "blue"})
    assert refused.status_code == 400
    assert (
        refused.json()["badRequest"]["message"]
        == "Additional properties are not allowed ('colour' was unexpected)"
    )


def test_flavors_at_2102(gateway: GatewayHandle) -> None:
    body = {"flavor": {"name": "q2102-small", "ram": 64, "vcpus": 1, "disk": 0, "id": "q2102-small"}}
    with gateway.client("admin", version="2.102") as http:
        refused = http.post("/compute/v2.1/flavors", json={"flavor": {**body["flavor"], "rxtx_factor": 1.0}})
        created = http.post("/compute/v2.1/flavors", json=body)
        try:
            assert refused.status_code == 400
            assert refused.json()["badRequest"]["message"].endswith(
                "Additional properties are not allowed ('rxtx_factor' was unexpected)"
            )
            assert created.status_code == 200, created.text
            flavor = created.json()["flavor"]
            assert "rxtx_factor" not in flavor
            assert "OS-FLV-DISABLED:disabled" not in flavor
            named = http.get("/compute/v2.1/flavors/detail", params={"name": "^q2102-s"}).json()["flavors"]
            assert [f["id"] for f in named] == ["q2102-small"]
            assert http.get("/compute/v2.1/flavors", params={"name": "nomatch$"}).json()["flavors"] == []
            sort = http.get("/compute/v2.1/flavors", params={"sort_key": "rxtx_factor"})
            assert sort.status_code == 400
            assert sort.json()["badRequest"]["message"].startswith(
                "Invalid input for query parameters sort_key. Value: rxtx_factor. 'rxtx_factor' is not one of"
            )
            with gateway.client("admin", version="2.101") as old:
                shown = old.get("/compute/v2.1/flavors/q2102-small").json()["flavor"]
                assert (shown["rxtx_factor"], shown["OS-FLV-DISABLED:disabled"]) == (1.0, False)
                assert old.get("/compute/v2.1/flavors", params={"name": "x"}).status_code == 400
                assert old.get("/compute/v2.1/flavors", params={"sort_key": "rxtx_factor"}).status_code == 200
        finally:
            http.delete("/compute/v2.1/flavors/q2102-small")
