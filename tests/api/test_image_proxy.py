"""Nova's image proxy API (``/compute/v2.1/images``, to 2.35; ``.../metadata`` to 2.38) over the
Image CRs: Nova's views and filters, Glance's visibility and ownership for writes, and what the
writes did to the Image objects."""

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

IMAGES = "/compute/v2.1/images"


def _unsuffixed(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with the image's random name suffix dropped (for the samples)."""
    return {**body, "name": body["name"].rsplit("-", 1)[0]}


def _api(gateway: GatewayHandle) -> client.CustomObjectsApi:
    return client.CustomObjectsApi(gateway.api_client)


def _create(gateway: GatewayHandle, name: str, spec: dict[str, Any]) -> str:
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Image",
        "metadata": {"name": name},
        "spec": {"containerDisk": {"image": "quay.io/containerdisks/cirros:0.6"}, "name": name, **spec},
    }
    created: dict[str, Any] = _api(gateway).create_cluster_custom_object(  # type: ignore[assignment]
        GROUP, VERSION, "images", body
    )
    image_id: str = created["metadata"]["uid"]
    with gateway.client("admin") as http:
        wait_for(
            lambda: http.get(f"{IMAGES}/{image_id}").status_code == 200,
            timeout=15,
            message="the image reaches the gateway's cache",
        )
    return image_id


def _properties(gateway: GatewayHandle, name: str) -> dict[str, str]:
    obj: dict[str, Any] = _api(gateway).get_cluster_custom_object(  # type: ignore[assignment]
        GROUP, VERSION, "images", name
    )
    return dict(obj["spec"].get("properties") or {})


@pytest.fixture(scope="module")
def images(gateway: GatewayHandle) -> Iterator[dict[str, str]]:
    """A public image, alt's private one, and a snapshot-like one of a server: name → Glance id."""
    suffix = uuid.uuid4().hex[:6]
    specs: dict[str, dict[str, Any]] = {
        f"proxy-pub-{suffix}": {"minDisk": 1, "minRam": 64, "properties": {"os_distro": "cirros"}},
        f"proxy-alt-{suffix}": {"visibility": "private", "owner": gateway.project_id("alt")},
        f"proxy-snap-{suffix}": {
            "visibility": "private",
            "owner": gateway.project_id("demo"),
            "properties": {"instance_uuid": "3f1e1c2a-0000-4000-8000-000000000001", "image_type": "snapshot"},
        },
    }
    ids = {name: _create(gateway, name, spec) for name, spec in specs.items()}
    yield ids
    for name in ids:
        try:
            _api(gateway).delete_cluster_custom_object(GROUP, VERSION, "images", name)
        except client.ApiException as exc:
            if exc.status != 404:
                raise


def test_list_detail_and_show(gateway: GatewayHandle, images: dict[str, str]) -> None:
    pub, alt, snap = list(images)
    with gateway.client("demo-member") as http:
        listed = http.get(IMAGES).json()["images"]
        names = {i["name"] for i in listed}
        assert {pub, snap} <= names
        assert alt not in names
        entry = next(i for i in listed if i["name"] == pub)
        assert_sample("images", "2.1", "images-list-entry", _unsuffixed(entry), base_url=gateway.url)
        detail = http.get(f"{IMAGES}/detail", params={"name": pub}).json()["images"]
        assert [i["id"] for i in detail] == [images[pub]]
        shown = http.get(f"{IMAGES}/{images[pub]}").json()
        assert_sample(
            "images", "2.1", "image-get-resp", {"image": _unsuffixed(shown["image"])}, base_url=gateway.url
        )
        assert shown["image"] == detail[0]
        # a snapshot not taken up by the operator yet: Glance queued, Nova SAVING at 25 %
        snapshot = http.get(f"{IMAGES}/{images[snap]}").json()["image"]
        assert (snapshot["status"], snapshot["progress"]) == ("SAVING", 25)
        assert snapshot["server"]["id"] == "3f1e1c2a-0000-4000-8000-000000000001"
        assert_sample("images", "2.1", "image-snapshot-get-resp", _unsuffixed(snapshot), base_url=gateway.url)
        # alt's private image is not found, as Glance hides it
        missing = http.get(f"{IMAGES}/{images[alt]}")
        assert missing.status_code == 404
        assert missing.json() == {"itemNotFound": {"code": 404, "message": "Image not found."}}
    with gateway.client("alt-member") as http:
        assert http.get(f"{IMAGES}/{images[alt]}").status_code == 200


def test_filters_and_paging(gateway: GatewayHandle, images: dict[str, str]) -> None:
    pub, _, snap = list(images)
    with gateway.client("demo-member") as http:

        def names(**params: str) -> set[str]:
            response = http.get(f"{IMAGES}/detail", params=params)
            assert response.status_code == 200, response.text
            return {i["name"] for i in response.json()["images"]}

        assert pub in names(minDisk="1", minRam="64")
        assert snap not in names(minDisk="1")
        assert pub not in names(minRam="65")
        assert pub in names(**{"property-os_distro": "cirros"})
        assert snap not in names(**{"property-os_distro": "cirros"})
        assert names(server="http://x/servers/3f1e1c2a-0000-4000-8000-000000000001") == {snap}
        assert snap in names(type="snapshot")
        assert pub not in names(type="snapshot")
        assert pub in names(status="ACTIVE")
        # Nova passes the status down lowercased: Glance's names, not Nova's SAVING
        assert snap in names(status="QUEUED")
        assert snap not in names(status="SAVING")
        assert snap not in names(status="ACTIVE")
        assert pub in names(**{"changes-since": "2000-01-01T00:00:00Z"})
        assert pub not in names(**{"changes-since": "2999-01-01T00:00:00Z"})
        assert http.get(IMAGES, params={"minRam": "x"}).status_code == 400
        first = http.get(IMAGES, params={"limit": "1"}).json()
        assert len(first["images"]) == 1
        [link] = first["images_links"]
        assert link["rel"] == "next"
        assert f"marker={first['images'][0]['id']}" in link["href"]
        second = http.get(IMAGES, params={"limit": "1", "marker": first["images"][0]["id"]}).json()
        assert second["images"][0]["id"] != first["images"][0]["id"]
        assert http.get(IMAGES, params={"marker": "nope"}).status_code == 400


def test_removed_after_their_microversions(gateway: GatewayHandle, images: dict[str, str]) -> None:
    image_id = next(iter(images.values()))
    with gateway.client("admin", version="2.35") as http:
        assert http.get(f"{IMAGES}/{image_id}").status_code == 200
    with gateway.client("admin", version="2.36") as http:
        assert http.get(IMAGES).status_code == 404
        assert http.get(f"{IMAGES}/{image_id}").status_code == 404
        assert http.get(f"{IMAGES}/{image_id}/metadata").status_code == 200
    with gateway.client("admin", version="2.38") as http:
        assert http.get(f"{IMAGES}/{image_id}/metadata").status_code == 200
    with gateway.client("admin", version="2.39") as http:
        assert http.get(f"{IMAGES}/{image_id}/metadata").status_code == 404


def test_metadata_writes_change_the_image(gateway: GatewayHandle, images: dict[str, str]) -> None:
    pub = next(iter(images))
    meta = f"{IMAGES}/{images[pub]}/metadata"
    with gateway.client("admin") as http:
        merged = http.post(meta, json={"metadata": {"k1": "v1", "k0": ""}})
        assert merged.status_code == 200, merged.text
        assert merged.json() == {"metadata": {"os_distro": "cirros", "k0": "", "k1": "v1"}}
        assert _properties(gateway, pub) == {"os_distro": "cirros", "k0": "", "k1": "v1"}
        item = http.put(f"{meta}/k1", json={"meta": {"k1": "v1.1"}})
        assert item.json() == {"meta": {"k1": "v1.1"}}
        assert http.get(f"{meta}/k1").json() == {"meta": {"k1": "v1.1"}}
        assert http.delete(f"{meta}/k0").status_code == 204
        assert _properties(gateway, pub) == {"os_distro": "cirros", "k1": "v1.1"}
        gone = http.delete(f"{meta}/k0")
        assert gone.json() == {"itemNotFound": {"code": 404, "message": "Invalid metadata key"}}
        assert http.get(f"{meta}/k0").status_code == 404
        replaced = http.put(meta, json={"metadata": {"os_distro": "cirros"}})
        assert replaced.json() == {"metadata": {"os_distro": "cirros"}}
        assert _properties(gateway, pub) == {"os_distro": "cirros"}
        assert_sample("images", "2.1", "image-metadata-resp", http.get(meta).json(), base_url=gateway.url)
        # Nova's schema: a mismatched key, a bad key, a non-string value
        assert http.put(f"{meta}/k1", json={"meta": {"k2": "v"}}).status_code == 400
        assert http.post(meta, json={"metadata": {"bad/key": "v"}}).status_code == 400
        assert http.post(meta, json={"metadata": {"k": 1}}).status_code == 400
    assert _properties(gateway, pub) == {"os_distro": "cirros"}


def test_metadata_writes_follow_glance_ownership(gateway: GatewayHandle, images: dict[str, str]) -> None:
    pub, alt, _ = list(images)
    with gateway.client("demo-member") as http:
        refused = http.post(f"{IMAGES}/{images[pub]}/metadata", json={"metadata": {"x": "y"}})
        assert refused.status_code == 403
        assert http.post(f"{IMAGES}/{images[alt]}/metadata", json={"metadata": {"x": "y"}}).status_code == 404
    assert "x" not in _properties(gateway, pub)
    with gateway.client("alt-member") as http:
        own = http.put(f"{IMAGES}/{images[alt]}/metadata/x", json={"meta": {"x": "y"}})
        assert own.status_code == 200, own.text
    assert _properties(gateway, alt) == {"x": "y"}


def test_metadata_quota(gateway: GatewayHandle, images: dict[str, str]) -> None:
    alt = list(images)[1]
    project = gateway.project_id("alt")
    quota = f"/compute/v2.1/os-quota-sets/{project}"
    with gateway.client("admin") as admin:
        assert admin.put(quota, json={"quota_set": {"metadata_items": 2}}).status_code == 200
        try:
            with gateway.client("alt-member") as http:
                over = http.post(f"{IMAGES}/{images[alt]}/metadata", json={"metadata": {"a": "1", "b": "2"}})
                assert over.status_code == 403
                assert over.json()["forbidden"]["message"] == "Image metadata limit exceeded"
        finally:
            assert admin.delete(quota).status_code == 202
    assert "a" not in _properties(gateway, alt)


def test_delete(gateway: GatewayHandle) -> None:
    suffix = uuid.uuid4().hex[:6]
    mine, guarded = f"proxy-del-{suffix}", f"proxy-prot-{suffix}"
    mine_id = _create(gateway, mine, {"visibility": "private", "owner": gateway.project_id("demo")})
    guarded_id = _create(gateway, guarded, {"protected": True})
    try:
        with gateway.client("demo-member") as http:
            assert http.delete(f"{IMAGES}/{guarded_id}").status_code == 403
            assert http.delete(f"{IMAGES}/{mine_id}").status_code == 204
            assert http.get(f"{IMAGES}/{mine_id}").status_code == 404
        with gateway.client("admin") as http:
            refused = http.delete(f"{IMAGES}/{guarded_id}")
            assert refused.json() == {
                "forbidden": {"code": 403, "message": "You are not allowed to delete the image."}
            }
        names = {
            i["metadata"]["name"]
            for i in _api(gateway).list_cluster_custom_object(GROUP, VERSION, "images")["items"]
        }
        assert mine not in names
        assert guarded in names
    finally:
        _api(gateway).delete_cluster_custom_object(GROUP, VERSION, "images", guarded)
