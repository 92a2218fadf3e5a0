# Over 300 lines: one resource's API tests, including access and extra specs.
"""Flavors: listing and visibility, admin management, extra specs, tenant access, microversions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from kubernetes import client

from kubenova.resources import GROUP, VERSION
from tests.api.samples import assert_sample
from tests.fixtures.gateway import GatewayHandle
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

FLAVORS = "/compute/v2.1/flavors"


def _new_id(prefix: str = "f") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _body(flavor_id: str | None, **extra: Any) -> dict[str, Any]:
    flavor = {
        "name": flavor_id or _new_id("anon"),
        "id": flavor_id,
        "ram": 128,
        "vcpus": 1,
        "disk": 1,
        **extra,
    }
    return {"flavor": flavor}


@pytest.fixture
def admin(gateway: GatewayHandle) -> Iterator[httpx.Client]:
    with gateway.client("admin", version="2.61") as http:
        yield http


@pytest.fixture
def created(admin: httpx.Client) -> Iterator[list[str]]:
    """Flavor ids a test creates; deleted afterwards."""
    ids: list[str] = []
    yield ids
    for flavor_id in ids:
        admin.delete(f"{FLAVORS}/{flavor_id}")


def _create(http: httpx.Client, created: list[str], body: dict[str, Any]) -> dict[str, Any]:
    response = http.post(FLAVORS, json=body)
    assert response.status_code == 200, response.text
    flavor: dict[str, Any] = response.json()["flavor"]
    created.append(flavor["id"])
    return flavor


def test_create_then_read_immediately(admin: httpx.Client, created: list[str]) -> None:
    flavor_id = _new_id()
    flavor = _create(admin, created, _body(flavor_id, swap=512, **{"OS-FLV-EXT-DATA:ephemeral": 2}))
    assert (flavor["ram"], flavor["vcpus"], flavor["disk"], flavor["swap"]) == (128, 1, 1, 512)
    assert flavor["OS-FLV-EXT-DATA:ephemeral"] == 2
    assert flavor["os-flavor-access:is_public"] is True
    assert flavor["extra_specs"] == {}
    # read-your-writes: no waiting for the watch
    shown = admin.get(f"{FLAVORS}/{flavor_id}")
    assert shown.status_code == 200
    assert shown.json()["flavor"] == flavor
    assert flavor_id in [f["id"] for f in admin.get(FLAVORS).json()["flavors"]]


def test_null_id_gets_a_uuid(admin: httpx.Client, created: list[str]) -> None:
    flavor = _create(admin, created, _body(None))
    assert str(uuid.UUID(flavor["id"])) == flavor["id"]


def test_duplicates_conflict(admin: httpx.Client, created: list[str]) -> None:
    flavor_id = _new_id()
    _create(admin, created, _body(flavor_id))
    same_id = admin.post(FLAVORS, json={"flavor": {**_body(flavor_id)["flavor"], "name": _new_id()}})
    assert same_id.status_code == 409
    assert same_id.json()["conflictingRequest"]["message"] == f"Flavor with ID {flavor_id} already exists."
    same_name = admin.post(FLAVORS, json={"flavor": {**_body(flavor_id)["flavor"], "id": _new_id()}})
    assert same_name.status_code == 409
    assert (
        same_name.json()["conflictingRequest"]["message"] == f"Flavor with name {flavor_id} already exists."
    )


def test_ids_that_are_not_dns_names(admin: httpx.Client, created: list[str]) -> None:
    flavor_id = f"M1 Tiny_{uuid.uuid4().hex[:4]}"
    _create(admin, created, _body(flavor_id))
    assert admin.get(f"{FLAVORS}/{flavor_id}").json()["flavor"]["id"] == flavor_id


def test_delete(admin: httpx.Client) -> None:
    flavor_id = _new_id()
    admin.post(FLAVORS, json=_body(flavor_id))
    assert admin.delete(f"{FLAVORS}/{flavor_id}").status_code == 202
    assert admin.get(f"{FLAVORS}/{flavor_id}").status_code == 404
    assert admin.delete(f"{FLAVORS}/{flavor_id}").status_code == 404


@pytest.mark.parametrize(("version", "swap"), [("2.74", ""), ("2.75", 0)])
def test_swap_rendering(
    gateway: GatewayHandle, admin: httpx.Client, created: list[str], version: str, swap: object
) -> None:
    flavor_id = _new_id()
    _create(admin, created, _body(flavor_id))
    with gateway.client("demo-member", version=version) as http:
        assert http.get(f"{FLAVORS}/{flavor_id}").json()["flavor"]["swap"] == swap


def test_description_from_2_55(gateway: GatewayHandle, created: list[str]) -> None:
    flavor_id = _new_id()
    with gateway.client("admin", version="2.54") as old:
        refused = old.post(FLAVORS, json=_body(flavor_id, description="small"))
        assert refused.status_code == 400
        assert "'description' was unexpected" in refused.json()["badRequest"]["message"]
        assert old.put(f"{FLAVORS}/{flavor_id}", json={"flavor": {"description": "x"}}).status_code == 404
    with gateway.client("admin", version="2.55") as new:
        flavor = _create(new, created, _body(flavor_id, description="small"))
        assert flavor["description"] == "small"
        assert "extra_specs" not in flavor  # 2.61
        updated = new.put(f"{FLAVORS}/{flavor_id}", json={"flavor": {"description": "tiny"}})
        assert updated.status_code == 200
        assert updated.json()["flavor"]["description"] == "tiny"
        bad = new.put(f"{FLAVORS}/{flavor_id}", json={"flavor": {"name": "renamed"}})
        assert bad.status_code == 400
        listed = {f["id"]: f for f in new.get(FLAVORS).json()["flavors"]}
        assert listed[flavor_id]["description"] == "tiny"
    with gateway.client("admin", version="2.54") as old:
        assert "description" not in old.get(f"{FLAVORS}/{flavor_id}").json()["flavor"]


def test_private_flavors_and_is_public_filter(
    gateway: GatewayHandle, admin: httpx.Client, created: list[str]
) -> None:
    private, public = _new_id("priv"), _new_id("pub")
    _create(admin, created, _body(private, **{"os-flavor-access:is_public": False}))
    _create(admin, created, _body(public))

    def ids(http: httpx.Client, is_public: str | None) -> set[str]:
        query = {} if is_public is None else {"is_public": is_public}
        return {f["id"] for f in http.get(f"{FLAVORS}/detail", params=query).json()["flavors"]}

    assert {private, public} <= ids(admin, "None")
    assert {private, public} <= ids(admin, "none")
    assert public in ids(admin, "True")
    assert private not in ids(admin, "True")
    assert private in ids(admin, "false")
    assert public not in ids(admin, "false")
    assert private not in ids(admin, None)
    assert admin.get(f"{FLAVORS}/detail", params={"is_public": "maybe"}).status_code == 400
    with gateway.client("demo-member", version="2.61") as member:
        assert private not in ids(member, "None")
        assert member.get(f"{FLAVORS}/{private}").status_code == 404
        # granting access to demo makes it visible there, and only there
        demo = gateway.project_id("demo")
        granted = admin.post(f"{FLAVORS}/{private}/action", json={"addTenantAccess": {"tenant": demo}})
        assert granted.status_code == 200
        assert granted.json() == {"flavor_access": [{"flavor_id": private, "tenant_id": demo}]}
        assert private in ids(member, "None")
        assert member.get(f"{FLAVORS}/{private}").status_code == 200
    with gateway.client("alt-member") as alt:
        assert alt.get(f"{FLAVORS}/{private}").status_code == 404


def test_tenant_access_rules(gateway: GatewayHandle, admin: httpx.Client, created: list[str]) -> None:
    private, public = _new_id("priv"), _new_id("pub")
    _create(admin, created, _body(private, **{"os-flavor-access:is_public": False}))
    _create(admin, created, _body(public))
    alt = gateway.project_id("alt")
    action = f"{FLAVORS}/{private}/action"
    assert admin.get(f"{FLAVORS}/{private}/os-flavor-access").json() == {"flavor_access": []}
    assert admin.post(action, json={"addTenantAccess": {"tenant": alt}}).status_code == 200
    again = admin.post(action, json={"addTenantAccess": {"tenant": alt}})
    assert again.status_code == 409
    assert (
        admin.post(f"{FLAVORS}/{public}/action", json={"addTenantAccess": {"tenant": alt}}).status_code == 409
    )
    assert admin.get(f"{FLAVORS}/{public}/os-flavor-access").status_code == 404
    removed = admin.post(action, json={"removeTenantAccess": {"tenant": alt}})
    assert removed.json() == {"flavor_access": []}
    assert admin.post(action, json={"removeTenantAccess": {"tenant": alt}}).status_code == 404
    assert admin.post(action, json={"bogusAction": {}}).status_code == 400
    assert admin.post(action, json={"addTenantAccess": {}}).status_code == 400


def test_filters_sorting_and_pagination(
    gateway: GatewayHandle, admin: httpx.Client, created: list[str]
) -> None:
    base = 700_000 + uuid.uuid4().int % 100_000
    ids = []
    for offset, flavor_id in enumerate(["pg-c", "pg-a", "pg-b"]):
        unique = f"{flavor_id}-{base}"
        _create(
            admin,
            created,
            {"flavor": {"name": unique, "id": unique, "ram": base + offset, "vcpus": 1, "disk": offset}},
        )
        ids.append(unique)
    mine = {"minRam": str(base)}
    listed = admin.get(f"{FLAVORS}/detail", params=mine).json()["flavors"]
    assert [f["id"] for f in listed] == sorted(ids)  # default: flavorid ascending
    by_ram = admin.get(
        f"{FLAVORS}/detail", params={**mine, "sort_key": "memory_mb", "sort_dir": "desc"}
    ).json()
    assert [f["ram"] for f in by_ram["flavors"]] == [base + 2, base + 1, base]
    assert [f["id"] for f in admin.get(FLAVORS, params={**mine, "minDisk": "1"}).json()["flavors"]] == sorted(
        ids[1:]
    )
    first = admin.get(f"{FLAVORS}/detail", params={**mine, "limit": "2"}).json()
    assert [f["id"] for f in first["flavors"]] == sorted(ids)[:2]
    (link,) = first["flavors_links"]
    assert link["rel"] == "next"
    assert link["href"].startswith(f"{gateway.url}/compute/v2.1/flavors/detail?")
    second = admin.get(link["href"]).json()
    assert [f["id"] for f in second["flavors"]] == sorted(ids)[2:]
    assert "flavors_links" not in second
    assert admin.get(FLAVORS, params={"marker": "no-such-flavor"}).status_code == 400
    assert admin.get(FLAVORS, params={"sort_key": "colour"}).status_code == 400
    assert admin.get(FLAVORS, params={"minRam": "lots"}).status_code == 400
    assert admin.get(FLAVORS, params={"limit": "-1"}).status_code == 400


def test_extra_specs(gateway: GatewayHandle, admin: httpx.Client, created: list[str]) -> None:
    flavor_id = _new_id()
    _create(admin, created, _body(flavor_id))
    specs = f"{FLAVORS}/{flavor_id}/os-extra_specs"
    posted = admin.post(
        specs, json={"extra_specs": {"hw:cpu_policy": "dedicated", "trait:CUSTOM_X": "required", "n": 1}}
    )
    assert posted.json() == {
        "extra_specs": {"hw:cpu_policy": "dedicated", "trait:CUSTOM_X": "required", "n": "1"}
    }
    assert admin.get(specs).json()["extra_specs"]["n"] == "1"
    assert admin.get(f"{specs}/hw:cpu_policy").json() == {"hw:cpu_policy": "dedicated"}
    assert admin.put(f"{specs}/n", json={"n": "2"}).json() == {"n": "2"}
    assert admin.put(f"{specs}/n", json={"m": "2"}).status_code == 400
    assert admin.delete(f"{specs}/n").status_code == 200
    assert admin.get(f"{specs}/n").status_code == 404
    assert admin.delete(f"{specs}/n").status_code == 404
    assert admin.post(specs, json={"extra_specs": {"bad/key": "x"}}).status_code == 400
    # extra_specs are part of the flavor from 2.61
    with gateway.client("demo-reader", version="2.61") as reader:
        assert reader.get(f"{FLAVORS}/{flavor_id}").json()["flavor"]["extra_specs"] == {
            "hw:cpu_policy": "dedicated",
            "trait:CUSTOM_X": "required",
        }
        assert reader.get(specs).status_code == 200
    with gateway.client("demo-reader", version="2.60") as reader:
        assert "extra_specs" not in reader.get(f"{FLAVORS}/{flavor_id}").json()["flavor"]


@pytest.mark.parametrize(("version", "status"), [("2.85", 200), ("2.86", 400)])
def test_extra_spec_value_validation_from_2_86(
    gateway: GatewayHandle, admin: httpx.Client, created: list[str], version: str, status: int
) -> None:
    flavor_id = _new_id()
    _create(admin, created, _body(flavor_id))
    with gateway.client("admin", version=version) as http:
        response = http.post(
            f"{FLAVORS}/{flavor_id}/os-extra_specs", json={"extra_specs": {"hw:cpu_policy": "fastest"}}
        )
    assert response.status_code == status


def test_flavors_made_with_kubectl_are_served(gateway: GatewayHandle, admin: httpx.Client) -> None:
    name = _new_id("kubectl")
    api = client.CustomObjectsApi(gateway.api_client)
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Flavor",
        "metadata": {"name": name},
        "spec": {"vcpus": 2, "ram": 256},
    }
    api.create_cluster_custom_object(GROUP, VERSION, "flavors", body)
    try:
        wait_for(
            lambda: admin.get(f"{FLAVORS}/{name}").status_code == 200,
            timeout=10,
            message="the watch cache picks up a Flavor created outside the gateway",
        )
        shown = admin.get(f"{FLAVORS}/{name}").json()
        assert shown["flavor"]["name"] == name
        assert (shown["flavor"]["vcpus"], shown["flavor"]["ram"], shown["flavor"]["disk"]) == (2, 256, 0)
    finally:
        api.delete_cluster_custom_object(GROUP, VERSION, "flavors", name)
    wait_for(
        lambda: admin.get(f"{FLAVORS}/{name}").status_code == 404, timeout=10, message="deletion is seen"
    )


@pytest.fixture(scope="module")
def sample_flavor(gateway: GatewayHandle) -> Iterator[str]:
    flavor_id = "sample-flavor"
    with gateway.client("admin", version="2.61") as http:
        http.delete(f"{FLAVORS}/{flavor_id}")
        body = {
            "flavor": {
                "name": "m1.sample",
                "id": flavor_id,
                "ram": 2048,
                "vcpus": 2,
                "disk": 20,
                "description": "A sample",
            }
        }
        wait_for(
            lambda: http.post(FLAVORS, json=body).status_code == 200,
            timeout=10,
            message="sample flavor created",
        )
        http.post(f"{FLAVORS}/{flavor_id}/os-extra_specs", json={"extra_specs": {"hw:cpu_policy": "shared"}})
        yield flavor_id
        http.delete(f"{FLAVORS}/{flavor_id}")


@pytest.mark.parametrize("version", ["2.1", "2.55", "2.61", "2.75"])
def test_golden_samples(gateway: GatewayHandle, sample_flavor: str, version: str) -> None:
    with gateway.client("demo-member", version=version) as http:
        show = http.get(f"{FLAVORS}/{sample_flavor}").json()
    assert_sample("flavors", version, "flavor-get-resp", show, base_url=gateway.url)
