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
