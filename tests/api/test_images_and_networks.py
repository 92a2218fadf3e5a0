"""The Glance v2 and Neutron minimums OSC and the SDK rely on."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client

from kubenova.resources import GROUP, VERSION
from tests.api.samples import assert_sample
from tests.fixtures.gateway import GatewayHandle
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

IMAGES = "/image/v2/images"


def _image_body(object_name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Image",
        "metadata": {"name": object_name},
        "spec": {"containerDisk": {"image": "quay.io/containerdisks/cirros:0.6"}, **spec},
    }


@pytest.fixture(scope="module")
def images(gateway: GatewayHandle) -> Iterator[dict[str, str]]:
    """Three images (two public, one private to alt): display name → Glance id."""
    api = client.CustomObjectsApi(gateway.api_client)
    suffix = uuid.uuid4().hex[:6]
    specs: dict[str, dict[str, Any]] = {
        f"cirros-{suffix}": {"name": f"cirros-{suffix}", "minDisk": 1, "properties": {"os_distro": "cirros"}},
        f"fedora-{suffix}": {"name": f"fedora-{suffix}"},
        f"secret-{suffix}": {
            "name": f"secret-{suffix}",
            "visibility": "private",
            "owner": gateway.project_id("alt"),
        },
    }
    ids = {}
    for name, spec in specs.items():
        created: dict[str, Any] = api.create_cluster_custom_object(  # type: ignore[assignment]
            GROUP, VERSION, "images", _image_body(name, spec)
        )
        ids[name] = created["metadata"]["uid"]
    with gateway.client("admin") as http:
        wait_for(
            lambda: all(http.get(f"{IMAGES}/{i}").status_code == 200 for i in ids.values()),
            timeout=15,
            message="images reach the gateway's cache",
        )
    yield ids
    for name in ids:
        api.delete_cluster_custom_object(GROUP, VERSION, "images", name)


def test_glance_discovery(gateway: GatewayHandle) -> None:
    with gateway.client() as http:
        response = http.get("/image")
    assert response.status_code == 300
    versions = response.json()["versions"]
    assert versions[0]["id"] == "v2.16"
    assert versions[0]["status"] == "CURRENT"
    assert versions[0]["links"] == [{"rel": "self", "href": f"{gateway.url}/image/v2/"}]


def test_list_filters_and_show(gateway: GatewayHandle, images: dict[str, str]) -> None:
    cirros, fedora, secret = list(images)
    with gateway.client("demo-member") as http:
        listed = http.get(IMAGES).json()
        names = {i["name"] for i in listed["images"]}
        assert {cirros, fedora} <= names
        assert secret not in names
        assert listed["first"] == "/v2/images"
        assert listed["schema"] == "/v2/schemas/images"
        by_name = http.get(IMAGES, params={"name": cirros}).json()["images"]
        assert [i["id"] for i in by_name] == [images[cirros]]
        by_ids = http.get(
            IMAGES, params={"id": f"in:{images[cirros]},{images[fedora]},{images[secret]}"}
        ).json()
        assert {i["id"] for i in by_ids["images"]} == {images[cirros], images[fedora]}
        shown = http.get(f"{IMAGES}/{images[cirros]}").json()
        assert (shown["name"], shown["status"], shown["min_disk"], shown["os_distro"]) == (
            cirros,
            "active",
            1,
            "cirros",
        )
        assert http.get(f"{IMAGES}/{cirros}").status_code == 404  # names are not ids
        assert http.get(f"{IMAGES}/{images[secret]}").status_code == 404
    with gateway.client("alt-member") as owner:
        assert owner.get(f"{IMAGES}/{images[secret]}").json()["visibility"] == "private"


def test_image_pagination(gateway: GatewayHandle, images: dict[str, str]) -> None:
    with gateway.client("admin") as http:
        everything = [i["id"] for i in http.get(IMAGES).json()["images"]]
        first = http.get(IMAGES, params={"limit": "1"}).json()
        assert [i["id"] for i in first["images"]] == everything[:1]
        second = http.get(f"/image{first['next']}").json()
        assert [i["id"] for i in second["images"]] == everything[1:2]


def test_image_sample(gateway: GatewayHandle, images: dict[str, str]) -> None:
    cirros = next(iter(images))
    with gateway.client("demo-member") as http:
        shown = http.get(f"{IMAGES}/{images[cirros]}").json()
    shown["name"] = "cirros"
    shown["os_distro"] = "cirros"
    assert_sample("images", "2", "image-show-resp", shown, base_url=gateway.url)


def test_networks(gateway: GatewayHandle) -> None:
    with gateway.client("demo-member") as http:
        assert http.get("/network").json()["versions"][0]["id"] == "v2.0"
        (net,) = http.get("/network/v2.0/networks").json()["networks"]
        assert net["name"] == gateway.settings.network_name == "private"
        assert net["status"] == "ACTIVE"
        assert http.get("/network/v2.0/networks", params={"name": "private"}).json()["networks"] == [net]
        assert http.get("/network/v2.0/networks", params={"name": "public"}).json()["networks"] == []
        assert http.get("/network/v2.0/networks", params={"router:external": "True"}).json()["networks"] == []
        assert http.get(f"/network/v2.0/networks/{net['id']}").json()["network"] == net
        missing = http.get("/network/v2.0/networks/private")
        assert missing.status_code == 404
        assert missing.json()["NeutronError"]["type"] == "NetworkNotFound"
        for collection in ("subnets", "ports", "routers", "floatingips"):
            assert http.get(f"/network/v2.0/{collection}").json() == {collection: []}
        (group,) = http.get("/network/v2.0/security-groups").json()["security_groups"]
        assert group["name"] == "default"
        assert group["project_id"] == gateway.project_id("demo")
        assert http.get("/network/v2.0/extensions/Availability%20Zone").status_code == 404
        assert http.get("/network/v2.0/quotas/" + gateway.project_id("demo")).status_code == 200
    with gateway.client() as anonymous:
        assert anonymous.get("/network/v2.0/networks").status_code == 401
