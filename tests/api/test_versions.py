"""Version discovery and microversion negotiation, over HTTP against the running gateway."""

from __future__ import annotations

import pytest

from kubenova_api import microversions
from kubenova_api.microversions import APIVersion
from tests.fixtures.gateway import GatewayHandle

pytestmark = pytest.mark.cluster

MAX = str(microversions.MAX_VERSION)


def test_compute_root_lists_v20_then_v21_without_version_headers(gateway: GatewayHandle) -> None:
    with gateway.client() as http:
        for path in ("/compute", "/compute/"):
            response = http.get(path)
            assert response.status_code == 200
            legacy, entry = response.json()["versions"]
            assert legacy == {
                "id": "v2.0",
                "status": "DEPRECATED",
                "version": "",
                "min_version": "",
                "updated": "2025-07-04T12:00:00Z",
                "links": [{"rel": "self", "href": f"{gateway.url}/compute/v2/"}],
            }
            assert entry["id"] == "v2.1"
            assert entry["status"] == "CURRENT"
            assert (entry["min_version"], entry["version"]) == ("2.1", MAX)
            assert entry["links"] == [{"rel": "self", "href": f"{gateway.url}/compute/v2.1/"}]
            assert "OpenStack-API-Version" not in response.headers
            assert response.headers["X-OpenStack-Request-Id"].startswith("req-")


@pytest.mark.parametrize("path", ["/compute/v2.1", "/compute/v2.1/"])
def test_version_document_is_unauthenticated_and_versioned(gateway: GatewayHandle, path: str) -> None:
    with gateway.client() as http:
        response = http.get(path)
    assert response.status_code == 200
    version = response.json()["version"]
    assert version["id"] == "v2.1"
    assert version["version"] == MAX
    assert version["min_version"] == "2.1"
    assert version["media-types"][0]["type"] == "application/vnd.openstack.compute+json;version=2.1"
    assert {"rel": "self", "href": f"{gateway.url}/compute/v2.1/"} in version["links"]
    assert response.headers["OpenStack-API-Version"] == "compute 2.1"
    assert response.headers["X-OpenStack-Nova-API-Version"] == "2.1"


def test_other_roots_answer_300_multiple_choices(gateway: GatewayHandle) -> None:
    with gateway.client() as http:
        response = http.get("/compute/v3/servers")
    assert response.status_code == 300
    legacy, choice = response.json()["choices"]
    assert (legacy["id"], legacy["status"]) == ("v2.0", "DEPRECATED")
    assert legacy["links"] == [{"rel": "self", "href": f"{gateway.url}/compute/v2/v3/servers"}]
    assert legacy["media-types"][0]["type"] == "application/vnd.openstack.compute+json;version=2"
    assert choice["id"] == "v2.1"
    assert choice["links"] == [{"rel": "self", "href": f"{gateway.url}/compute/v2.1/v3/servers"}]


def test_links_ignore_forwarded_headers_unless_trusted(gateway: GatewayHandle) -> None:
    """A client cannot rewrite the links (and the token catalog) with X-Forwarded-* headers; a
    gateway behind a proxy trusts them with ``trust_proxy_headers`` (``test_identity_hardening``)."""
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "cloud.example.com",
        "X-Forwarded-Prefix": "/os",
    }
    with gateway.client() as http:
        response = http.get("/compute/", headers=headers)
    assert response.json()["versions"][1]["links"][0]["href"] == f"{gateway.url}/compute/v2.1/"


# (request headers, expected status, expected negotiated version or fault)
NEGOTIATION = [
    ({}, 200, "2.1"),
    ({"OpenStack-API-Version": "compute 2.55"}, 200, "2.55"),
    ({"OpenStack-API-Version": "compute latest"}, 200, MAX),
    ({"X-OpenStack-Nova-API-Version": "2.10"}, 200, "2.10"),
    ({"X-OpenStack-Nova-API-Version": "latest"}, 200, MAX),
    # the new header wins over the legacy one; the last compute entry of a list wins
    ({"OpenStack-API-Version": "compute 2.61", "X-OpenStack-Nova-API-Version": "2.3"}, 200, "2.61"),
    ({"OpenStack-API-Version": "image 2.5, compute 2.20, compute 2.30"}, 200, "2.30"),
    ({"OpenStack-API-Version": "image 2.5", "X-OpenStack-Nova-API-Version": "2.7"}, 200, "2.7"),
    ({"OpenStack-API-Version": "compute 2.200"}, 406, "computeFault"),
    ({"OpenStack-API-Version": "compute 2.0"}, 406, "computeFault"),
    ({"OpenStack-API-Version": "compute 3.1"}, 406, "computeFault"),
    ({"OpenStack-API-Version": "compute 2.x"}, 400, "badRequest"),
    ({"OpenStack-API-Version": "compute 02.1"}, 400, "badRequest"),
    ({"X-OpenStack-Nova-API-Version": "LATEST"}, 400, "badRequest"),
]


@pytest.mark.parametrize(("headers", "status", "expected"), NEGOTIATION)
def test_microversion_negotiation(
    gateway: GatewayHandle, headers: dict[str, str], status: int, expected: str
) -> None:
    with gateway.client() as http:
        response = http.get("/compute/v2.1/", headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["Vary"] == "OpenStack-API-Version, X-OpenStack-Nova-API-Version"
    assert response.headers["X-Compute-Request-Id"] == response.headers["X-OpenStack-Request-Id"]
    if status == 200:
        assert response.headers["OpenStack-API-Version"] == f"compute {expected}"
        assert response.headers["X-OpenStack-Nova-API-Version"] == expected
    else:
        fault = response.json()[expected]
        assert fault["code"] == status
        if status == 406:
            assert "is not supported by the API. Minimum is 2.1 and maximum is" in fault["message"]
        else:
            assert "is of invalid format. Must be of format MajorNum.MinorNum." in fault["message"]


def test_version_headers_on_errors_too(gateway: GatewayHandle) -> None:
    with gateway.client("admin", version="2.61") as http:
        response = http.get("/compute/v2.1/flavors/does-not-exist")
    assert response.status_code == 404
    assert response.headers["OpenStack-API-Version"] == "compute 2.61"
    assert response.headers["Vary"] == "OpenStack-API-Version, X-OpenStack-Nova-API-Version"


def test_project_id_in_path_is_accepted(gateway: GatewayHandle) -> None:
    project = gateway.project_id("demo")
    with gateway.client("demo-member") as http:
        with_project = http.get(f"/compute/v2.1/{project}/flavors")
        without = http.get("/compute/v2.1/flavors")
    assert with_project.status_code == 200
    assert with_project.json() == without.json()


def test_project_id_in_path_must_be_the_tokens(gateway: GatewayHandle) -> None:
    """Nova refuses the legacy form naming another project than the token's (400), for admins too."""
    alt = gateway.project_id("alt")
    for user in ("demo-member", "admin"):
        with gateway.client(user) as http:
            own = gateway.project_id("demo") if user == "demo-member" else gateway.project_id("admin")
            response = http.get(f"/compute/v2.1/{alt}/servers")
        assert response.status_code == 400, (user, response.text)
        assert response.json()["badRequest"]["message"] == (
            f"Malformed request URL: URL's project_id '{alt}' doesn't match Context's project_id '{own}'"
        )


def test_request_ids_are_unique_per_request(gateway: GatewayHandle) -> None:
    with gateway.client() as http:
        ids = {http.get("/compute/").headers["X-OpenStack-Request-Id"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.parametrize(
    ("raw", "parsed"), [("2.1", APIVersion(2, 1)), ("2.10", APIVersion(2, 10)), ("2.100", APIVersion(2, 100))]
)
def test_api_version_parsing_and_ordering(raw: str, parsed: APIVersion) -> None:
    assert APIVersion.parse(raw) == parsed
    assert parsed >= "2.1"
    assert APIVersion(2, 9) < APIVersion(2, 10) < "2.100"
    assert APIVersion(2, 55).between("2.1", "2.55")


def test_history_covers_every_advertised_version() -> None:
    expected = [f"2.{minor}" for minor in range(1, microversions.MAX_VERSION.minor + 1)]
    assert list(microversions.HISTORY) == expected


@pytest.mark.parametrize("path", ["/compute/v2", "/compute/v2/"])
def test_legacy_v2_document(gateway: GatewayHandle, path: str) -> None:
    with gateway.client() as http:
        response = http.get(path, headers={"OpenStack-API-Version": "compute 2.55"})
    assert response.status_code == 200
    assert response.json() == {
        "version": {
            "id": "v2.0",
            "status": "DEPRECATED",
            "version": "",
            "min_version": "",
            "updated": "2025-07-04T12:00:00Z",
            "links": [
                {"rel": "self", "href": f"{gateway.url}/compute/v2/"},
                {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"},
            ],
            "media-types": [
                {"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}
            ],
        }
    }
    assert "OpenStack-API-Version" not in response.headers
    assert "Vary" not in response.headers


def test_legacy_v2_serves_v21_code_without_microversions(gateway: GatewayHandle) -> None:
    project = gateway.project_id("admin")
    body = {"flavor": {"name": "legacy-list", "ram": 64, "vcpus": 1, "disk": 0, "id": "legacy-list"}}
    with gateway.client("admin") as http:
        assert http.post("/compute/v2.1/flavors", json=body).status_code == 200
        try:
            legacy = http.get(
                f"/compute/v2/{project}/flavors/legacy-list",
                headers={"OpenStack-API-Version": "compute 2.61"},
            )
            current = http.get("/compute/v2.1/flavors/legacy-list")
        finally:
            http.delete("/compute/v2.1/flavors/legacy-list")
    assert legacy.status_code == 200, legacy.text
    assert "OpenStack-API-Version" not in legacy.headers
    assert "X-OpenStack-Nova-API-Version" not in legacy.headers
    assert legacy.headers["X-OpenStack-Request-Id"].startswith("req-")
    flavor = legacy.json()["flavor"]
    assert "extra_specs" not in flavor  # 2.1 behaviour: the microversion header is ignored
    assert flavor["links"][0]["href"] == f"{gateway.url}/compute/v2/flavors/legacy-list"
    assert {k: v for k, v in flavor.items() if k != "links"} == {
        k: v for k, v in current.json()["flavor"].items() if k != "links"
    }


def test_legacy_v2_drops_unknown_properties(gateway: GatewayHandle) -> None:
    body = {"flavor": {"name": " legacy-flavor ", "ram": 64, "vcpus": 1, "disk": 0, "bogus": 1}}
    with gateway.client("admin") as http:
        strict = http.post("/compute/v2.1/flavors", json=body)
        legacy = http.post("/compute/v2/flavors", json=body)
        try:
            assert strict.status_code == 400
            assert legacy.status_code == 200, legacy.text
            created = legacy.json()["flavor"]
            assert created["name"] == "legacy-flavor"
            assert created["links"][0]["href"] == f"{gateway.url}/compute/v2/flavors/{created['id']}"
            assert http.get(f"/compute/v2.1/flavors/{created['id']}").status_code == 200
        finally:
            if legacy.status_code == 200:
                http.delete(f"/compute/v2.1/flavors/{legacy.json()['flavor']['id']}")
