# Over 300 lines: one resource's API tests, including concurrency.
"""Aggregates: CRUD by integer id, host membership, zones, metadata, id allocation under
concurrency, microversions, policy and golden samples, against the real API server."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import httpx
import pytest
from kubernetes import client

from kubenova.resources import GROUP, VERSION
from tests.api.samples import assert_sample
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

AGGREGATES = "/compute/v2.1/os-aggregates"


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


@pytest.fixture
def admin(gateway: GatewayHandle, operator: OperatorHandle) -> Iterator[httpx.Client]:
    """An admin client; the operator runs, as it allocates the aggregate ids."""
    with gateway.client("admin", version="2.81") as http:
        yield http


@pytest.fixture
def created(gateway: GatewayHandle) -> Iterator[list[str]]:
    """Names of aggregates a test creates; their CRs are deleted afterwards (hosts or not)."""
    names: list[str] = []
    yield names
    custom = client.CustomObjectsApi(gateway.api_client)
    listing = cast(dict[str, Any], custom.list_cluster_custom_object(GROUP, VERSION, "aggregates"))
    for item in listing["items"]:
        if (item["spec"].get("name") or item["metadata"]["name"]) in names:
            custom.delete_cluster_custom_object(GROUP, VERSION, "aggregates", item["metadata"]["name"])


@pytest.fixture
def hosts(managed_node: ManagedNodeFactory, admin: httpx.Client) -> list[str]:
    """Two compute Nodes of this test (tainted, so nobody's VMs land there), known to the gateway."""
    names = [managed_node(unique("agg-host"), taint=True) for _ in range(2)]
    for name in names:
        wait_known(admin, name)
    return names


def wait_known(http: httpx.Client, host: str) -> None:
    """Until the gateway's Node cache has ``host`` (it lags the API server by a watch event)."""
    wait_for(
        lambda: http.get("/compute/v2.1/os-services", params={"host": host}).json()["services"],
        timeout=15,
        message=f"gateway knows host {host}",
    )


def create(http: httpx.Client, created: list[str], name: str, zone: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name}
    if zone is not None:
        body["availability_zone"] = zone
    response = http.post(AGGREGATES, json={"aggregate": body})
    assert response.status_code == 200, response.text
    created.append(name)
    aggregate: dict[str, Any] = response.json()["aggregate"]
    return aggregate


def cr_of(gateway: GatewayHandle, agg_id: int) -> dict[str, Any]:
    """The Aggregate object whose id (``status.id``, the operator's) is ``agg_id``."""
    custom = client.CustomObjectsApi(gateway.api_client)
    listing = cast(dict[str, Any], custom.list_cluster_custom_object(GROUP, VERSION, "aggregates"))
    return next(item for item in listing["items"] if (item.get("status") or {}).get("id") == agg_id)


def action(http: httpx.Client, agg_id: int, body: dict[str, Any]) -> httpx.Response:
    return http.post(f"{AGGREGATES}/{agg_id}/action", json=body)


def message(response: httpx.Response) -> str:
    fault = next(iter(response.json().values()))
    return str(fault["message"])


def test_lifecycle_and_cr(gateway: GatewayHandle, admin: httpx.Client, created: list[str]) -> None:
    name = unique("agg")
    aggregate = create(admin, created, name, zone="az-life")
    assert isinstance(aggregate["id"], int)
    assert "hosts" not in aggregate
    assert "metadata" not in aggregate
    assert aggregate["availability_zone"] == "az-life"
    assert aggregate["deleted"] is False
    assert aggregate["deleted_at"] is None
    assert aggregate["updated_at"] is None
    agg_id = aggregate["id"]

    # The CR: Nova fields in spec, the id the operator allocated in status.
    cr = cr_of(gateway, agg_id)
    assert cr["status"]["id"] == agg_id
    assert cr["spec"] == {
        "name": name,
        "availabilityZone": "az-life",
        "hosts": [],
        "metadata": {},
    }
    assert aggregate["uuid"] == cr["metadata"]["uid"]

    shown = admin.get(f"{AGGREGATES}/{agg_id}").json()["aggregate"]
    assert shown["hosts"] == []
    assert shown["metadata"] == {"availability_zone": "az-life"}
    assert agg_id in [a["id"] for a in admin.get(AGGREGATES).json()["aggregates"]]

    renamed = admin.put(f"{AGGREGATES}/{agg_id}", json={"aggregate": {"name": name + "-x"}})
    assert renamed.status_code == 200, renamed.text
    created.append(name + "-x")
    assert renamed.json()["aggregate"]["name"] == name + "-x"
    rezoned = admin.put(f"{AGGREGATES}/{agg_id}", json={"aggregate": {"availability_zone": "az-2"}})
    assert rezoned.json()["aggregate"]["availability_zone"] == "az-2"

    deleted = admin.delete(f"{AGGREGATES}/{agg_id}")
    assert (deleted.status_code, deleted.content) == (200, b"")
    assert admin.get(f"{AGGREGATES}/{agg_id}").status_code == 404
    assert admin.delete(f"{AGGREGATES}/{agg_id}").status_code == 404


def test_uuid_from_2_41(gateway: GatewayHandle, admin: httpx.Client, created: list[str]) -> None:
    agg_id = create(admin, created, unique("agg"))["id"]
    with gateway.client("admin", version="2.40") as old:
        assert "uuid" not in old.get(f"{AGGREGATES}/{agg_id}").json()["aggregate"]
    with gateway.client("admin", version="2.41") as new:
        assert "uuid" in new.get(f"{AGGREGATES}/{agg_id}").json()["aggregate"]


def test_names_are_unique(admin: httpx.Client, created: list[str]) -> None:
    name, other = unique("agg"), unique("agg")
    create(admin, created, name)
    again = admin.post(AGGREGATES, json={"aggregate": {"name": name}})
    assert again.status_code == 409
    assert message(again) == f"Aggregate {name} already exists."
    other_id = create(admin, created, other)["id"]
    rename = admin.put(f"{AGGREGATES}/{other_id}", json={"aggregate": {"name": name}})
    assert rename.status_code == 409


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PUT", "", {"aggregate": {"name": "x"}}),
        ("DELETE", "", None),
        ("POST", "/action", {"add_host": {"host": "h"}}),
    ],
)
def test_path_ids_must_be_integers(
    admin: httpx.Client, method: str, suffix: str, body: dict[str, Any] | None
) -> None:
    response = admin.request(method, f"{AGGREGATES}/agg1{suffix}", json=body)
    assert response.status_code == 400, response.text
    assert message(response) == "Invalid input received: id must be an integer"
    unknown = admin.request(method, f"{AGGREGATES}/987654321{suffix}", json=body)
    assert unknown.status_code == 404


def test_bodies_are_validated(admin: httpx.Client, created: list[str]) -> None:
    bodies: list[dict[str, Any]] = [
        {"aggregate": {}},
        {"aggregate": {"name": ""}},
        {"aggregate": {"name": " padded"}},
        {"aggregate": {"name": "x", "availability_zone": "a:b"}},
        {"aggregate": {"name": "x", "extra": 1}},
    ]
    for bad in bodies:
        assert admin.post(AGGREGATES, json=bad).status_code == 400, bad
    agg_id = create(admin, created, unique("agg"))["id"]
    assert admin.put(f"{AGGREGATES}/{agg_id}", json={"aggregate": {}}).status_code == 400
    assert action(admin, agg_id, {"no_such": {}}).json()["badRequest"]["message"] == (
        "There is no such action: no_such"
    )
    bad_meta = action(admin, agg_id, {"set_metadata": {"metadata": {"bad/key": "v"}}})
    assert bad_meta.status_code == 400


def test_hosts(admin: httpx.Client, created: list[str], hosts: list[str]) -> None:
    host = hosts[0]
    agg_id = create(admin, created, unique("agg"))["id"]
    unknown = action(admin, agg_id, {"add_host": {"host": "no-such-node"}})
    assert unknown.status_code == 404
    assert message(unknown) == "Compute host no-such-node could not be found."

    added = action(admin, agg_id, {"add_host": {"host": host}})
    assert added.status_code == 200, added.text
    assert added.json()["aggregate"]["hosts"] == [host]
    twice = action(admin, agg_id, {"add_host": {"host": host}})
    assert twice.status_code == 409
    assert message(twice) == f"Aggregate {agg_id} already has host {host}."

    not_empty = admin.delete(f"{AGGREGATES}/{agg_id}")
    assert not_empty.status_code == 400
    assert message(not_empty) == (
        f"Cannot remove host from aggregate {agg_id}. Reason: Host aggregate is not empty."
    )

    not_member = action(admin, agg_id, {"remove_host": {"host": hosts[1]}})
    assert not_member.status_code == 404
    assert message(not_member) == f"Cannot remove host {hosts[1]} in aggregate {agg_id}"
    removed = action(admin, agg_id, {"remove_host": {"host": host}})
    assert removed.json()["aggregate"]["hosts"] == []
    assert admin.delete(f"{AGGREGATES}/{agg_id}").status_code == 200


def test_a_vanished_host_can_still_be_removed(
    gateway: GatewayHandle, admin: httpx.Client, created: list[str]
) -> None:
    """A member whose Node was deleted (here: kubectl-made membership of a Node that never
    existed) can be removed, so the aggregate can be emptied and deleted."""
    agg_id = create(admin, created, unique("agg"))["id"]
    custom = client.CustomObjectsApi(gateway.api_client)
    name = cr_of(gateway, agg_id)["metadata"]["name"]
    custom.patch_cluster_custom_object(GROUP, VERSION, "aggregates", name, {"spec": {"hosts": ["gone-node"]}})
    wait_for(
        lambda: admin.get(f"{AGGREGATES}/{agg_id}").json()["aggregate"]["hosts"] == ["gone-node"],
        timeout=10,
        message="membership seen",
    )
    removed = action(admin, agg_id, {"remove_host": {"host": "gone-node"}})
    assert removed.status_code == 200, removed.text
    assert admin.delete(f"{AGGREGATES}/{agg_id}").status_code == 200


def test_concurrent_add_host_loses_nothing(admin: httpx.Client, created: list[str], hosts: list[str]) -> None:
    agg_id = create(admin, created, unique("agg"))["id"]
    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(lambda h: action(admin, agg_id, {"add_host": {"host": h}}).status_code, hosts))
    assert codes == [200, 200]
    assert sorted(admin.get(f"{AGGREGATES}/{agg_id}").json()["aggregate"]["hosts"]) == sorted(hosts)


def test_a_host_is_in_one_zone(admin: httpx.Client, created: list[str], hosts: list[str]) -> None:
    host = hosts[0]
    in_az1 = create(admin, created, unique("agg"), zone="az-one")["id"]
    assert action(admin, in_az1, {"add_host": {"host": host}}).status_code == 200

    in_az2 = create(admin, created, unique("agg"), zone="az-two")["id"]
    conflict = action(admin, in_az2, {"add_host": {"host": host}})
    assert conflict.status_code == 409
    assert message(conflict) == (
        f"Cannot add host to aggregate {in_az2}. "
        "Reason: One or more hosts already in availability zone(s) ['az-one']."
    )
    # Same zone, or no zone at all: fine.
    same_zone = create(admin, created, unique("agg"), zone="az-one")["id"]
    assert action(admin, same_zone, {"add_host": {"host": host}}).status_code == 200
    unzoned = create(admin, created, unique("agg"))["id"]
    assert action(admin, unzoned, {"add_host": {"host": host}}).status_code == 200
    # ...but the unzoned one cannot then move the host into another zone.
    rezone = action(admin, unzoned, {"set_metadata": {"metadata": {"availability_zone": "az-two"}}})
    assert rezone.status_code == 400
    assert "One or more hosts already in availability zone(s) ['az-one', 'az-one']" in message(rezone)
    put = admin.put(f"{AGGREGATES}/{unzoned}", json={"aggregate": {"availability_zone": "az-two"}})
    assert put.status_code == 400
    assert message(put).startswith(f"Cannot update aggregate {unzoned}. Reason: One or more hosts")

    for agg_id in (in_az1, same_zone, unzoned):
        action(admin, agg_id, {"remove_host": {"host": host}})


def test_set_metadata_merges_and_drives_the_zone(admin: httpx.Client, created: list[str]) -> None:
    agg_id = create(admin, created, unique("agg"))["id"]
    first = action(admin, agg_id, {"set_metadata": {"metadata": {"ssd": "true", "k": "v"}}})
    assert first.status_code == 200, first.text
    assert first.json()["aggregate"]["metadata"] == {"ssd": "true", "k": "v"}

    merged = action(admin, agg_id, {"set_metadata": {"metadata": {"k": None, "availability_zone": "az-m"}}})
    body = merged.json()["aggregate"]
    assert body["metadata"] == {"ssd": "true", "availability_zone": "az-m"}
    assert body["availability_zone"] == "az-m"

    cleared = action(admin, agg_id, {"set_metadata": {"metadata": {"availability_zone": None}}})
    assert cleared.status_code == 400
    assert "does not support empty named availability zone" in message(cleared)


def test_concurrent_creates_get_distinct_ids_and_one_name_wins(
    admin: httpx.Client, created: list[str]
) -> None:
    names = [unique("agg") for _ in range(6)]
    created.extend(names)
    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda n: admin.post(AGGREGATES, json={"aggregate": {"name": n}}), names))
    ids = [r.json()["aggregate"]["id"] for r in responses]
    assert len(set(ids)) == 6, ids

    same = unique("agg")
    created.append(same)
    with ThreadPoolExecutor(4) as pool:
        racing = list(
            pool.map(lambda _: admin.post(AGGREGATES, json={"aggregate": {"name": same}}), range(4))
        )
    assert sorted(r.status_code for r in racing) == [200, 409, 409, 409]
    listed = [a for a in admin.get(AGGREGATES).json()["aggregates"] if a["name"] == same]
    assert len(listed) == 1


def test_image_cache_request(gateway: GatewayHandle, admin: httpx.Client, created: list[str]) -> None:
    agg_id = create(admin, created, unique("agg"))["id"]
    image = "70a599e0-31e7-49b7-b260-868f441e862b"
    accepted = admin.post(f"{AGGREGATES}/{agg_id}/images", json={"cache": [{"id": image}]})
    assert (accepted.status_code, accepted.content) == (202, b"")
    dup = admin.post(f"{AGGREGATES}/{agg_id}/images", json={"cache": [{"id": image}, {"id": image}]})
    assert dup.status_code == 400
    with gateway.client("admin", version="2.80") as old:
        assert old.post(f"{AGGREGATES}/{agg_id}/images", json={"cache": [{"id": image}]}).status_code == 404


def test_admin_only(gateway: GatewayHandle, admin: httpx.Client, created: list[str]) -> None:
    agg_id = create(admin, created, unique("agg"))["id"]
    with gateway.client("demo-manager") as member:
        for method, path, body in (
            ("GET", AGGREGATES, None),
            ("POST", AGGREGATES, {"aggregate": {"name": "x"}}),
            ("GET", f"{AGGREGATES}/{agg_id}", None),
            ("PUT", f"{AGGREGATES}/{agg_id}", {"aggregate": {"name": "x"}}),
            ("DELETE", f"{AGGREGATES}/{agg_id}", None),
            ("POST", f"{AGGREGATES}/{agg_id}/action", {"set_metadata": {"metadata": {"a": "b"}}}),
        ):
            response = member.request(method, path, json=body)
            assert response.status_code == 403, (method, path)
            assert "os_compute_api:os-aggregates:" in message(response)


def test_kubectl_made_aggregates(gateway: GatewayHandle, admin: httpx.Client, created: list[str]) -> None:
    """An Aggregate made with kubectl (any object name, its own id) is served like the API's own,
    and the gateway never hands out its id again."""
    name = unique("kubectl-agg")
    agg_id = 900_000 + secrets.randbelow(90_000)
    created.append(name)
    custom = client.CustomObjectsApi(gateway.api_client)
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Aggregate",
        "metadata": {"name": name},
        "spec": {"id": agg_id, "metadata": {"ssd": "true"}},
    }
    custom.create_cluster_custom_object(GROUP, VERSION, "aggregates", body)

    def shown() -> dict[str, Any] | None:
        response = admin.get(f"{AGGREGATES}/{agg_id}")
        return response.json()["aggregate"] if response.status_code == 200 else None

    aggregate = wait_for(shown, timeout=10, message="kubectl-made aggregate served")
    assert aggregate is not None
    assert (aggregate["name"], aggregate["metadata"]) == (name, {"ssd": "true"})
    assert create(admin, created, unique("agg"))["id"] > agg_id


def test_samples(gateway: GatewayHandle, created: list[str], hosts: list[str]) -> None:
    """Nova's api-samples for aggregates, with ids and host names made stable. A pause after the
    create makes ``updated_at`` (second-granular in Kubernetes) deterministic."""

    def normalised(body: dict[str, Any]) -> dict[str, Any]:
        agg = dict(body["aggregate"], id=1, name="name")
        if "hosts" in agg:
            agg["hosts"] = ["host-1" for _ in agg["hosts"]]
        return {"aggregate": agg}

    for version in ("2.1", "2.41"):
        with gateway.client("admin", version=version) as http:
            name = unique("sample")
            made = http.post(AGGREGATES, json={"aggregate": {"name": name, "availability_zone": "london"}})
            created.append(name)
            assert_sample(
                "aggregates", version, "aggregate-post-resp", normalised(made.json()), base_url=gateway.url
            )
            time.sleep(1.1)
            agg_id = made.json()["aggregate"]["id"]
            add = action(http, agg_id, {"add_host": {"host": hosts[0]}})
            assert_sample(
                "aggregates",
                version,
                "aggregates-add-host-post-resp",
                normalised(add.json()),
                base_url=gateway.url,
            )
            meta = action(http, agg_id, {"set_metadata": {"metadata": {"key": "value"}}})
            assert_sample(
                "aggregates",
                version,
                "aggregates-metadata-post-resp",
                normalised(meta.json()),
                base_url=gateway.url,
            )
            action(http, agg_id, {"remove_host": {"host": hosts[0]}})


def test_updates_answer_the_zone_string(admin: httpx.Client, created: list[str]) -> None:
    """Every update answer shows the zone the aggregate has (never null once it has one), and a
    name with outer spaces is stored stripped (Nova's normalize_name)."""
    agg_id = create(admin, created, unique("agg"))["id"]
    zoned = admin.put(f"{AGGREGATES}/{agg_id}", json={"aggregate": {"availability_zone": "az-upd"}})
    assert zoned.status_code == 200, zoned.text
    assert zoned.json()["aggregate"]["availability_zone"] == "az-upd"
    assert zoned.json()["aggregate"]["metadata"] == {"availability_zone": "az-upd"}
    new_name = unique("agg")
    created.append(new_name)
    renamed = admin.put(f"{AGGREGATES}/{agg_id}", json={"aggregate": {"name": f"  {new_name} "}})
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["aggregate"]["name"], renamed.json()["aggregate"]["availability_zone"]) == (
        new_name,
        "az-upd",
    )
    both = admin.put(
        f"{AGGREGATES}/{agg_id}", json={"aggregate": {"name": new_name, "availability_zone": "az-upd"}}
    )
    assert both.json()["aggregate"]["availability_zone"] == "az-upd"
    assert admin.get(f"{AGGREGATES}/{agg_id}").json()["aggregate"]["availability_zone"] == "az-upd"
    empty = admin.put(f"{AGGREGATES}/{agg_id}", json={"aggregate": {}})
    assert empty.status_code == 400
    assert empty.json()["badRequest"]["message"] == (
        "Invalid input for field/attribute aggregate. Value: {}. "
        "{} is not valid under any of the given schemas"
    )
