"""``POST /servers/{id}/action {"rebuild": ...}``: Nova's schema per microversion, the guards
(policy, lock, state), the image checks, the 202 body (the server with the new image and an
adminPass), and the rebuild carried out: a new root DataVolume from the new image, same id and
host, the ``rebuild`` instance action with its event."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest
from kubernetes import client

from kubenova.resources.base import GROUP, VERSION
from tests.api.test_server_support import (
    LATEST,
    SERVERS,
    ServerFactory,
    boot,
    create_image,
    delete_image,
    servers,
)
from tests.fixtures.gateway import GatewayHandle
from tests.support.cluster import Cluster
from tests.support.storage import Storage
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster
__all__ = ["boot", "servers"]


@pytest.fixture
def new_image(cluster: Cluster, gateway: GatewayHandle) -> Iterator[tuple[str, str]]:
    image_id, name = create_image(
        cluster, gateway, volumeSource={"http": {"url": "https://images.example/r.img"}}
    )
    try:
        yield image_id, name
    finally:
        delete_image(cluster, name)


def server_object(cluster: Cluster, server_id: str) -> dict[str, Any]:
    """The Server object behind a Nova id (any namespace)."""
    with cluster.connected() as api:
        listing = cast(
            dict[str, Any], client.CustomObjectsApi(api).list_cluster_custom_object(GROUP, VERSION, "servers")
        )
    return next(s for s in listing["items"] if s["metadata"]["uid"] == server_id)


def root_dv(cluster: Cluster, server: dict[str, Any]) -> dict[str, Any] | None:
    with cluster.connected() as api:
        return Storage(api, server["metadata"]["namespace"]).dv(f"{server['metadata']['name']}-root")


def act(
    servers: ServerFactory, server_id: str, body: Any, *, user: str = "demo-member", version: str = LATEST
) -> httpx.Response:
    with servers.gateway.client(user, version=version) as http:
        return http.post(f"{SERVERS}/{server_id}/action", json=body)


def fault(response: httpx.Response, code: int) -> str:
    assert response.status_code == code, response.text
    ((_, body),) = response.json().items()
    return str(body["message"])


def test_rebuild_answers_with_the_server_and_recreates_its_root_disk(
    servers: ServerFactory, cluster: Cluster, new_image: tuple[str, str]
) -> None:
    image_id, _ = new_image
    server = servers.active(metadata={"old": "1"})
    server_id = server["id"]
    before = server_object(cluster, server_id)
    old_dv = root_dv(cluster, before)
    assert old_dv is not None

    body = {
        "rebuild": {"imageRef": image_id, "name": "rebuilt", "metadata": {"new": "2"}, "adminPass": "s3cret"}
    }
    response = act(servers, server_id, body)
    assert response.status_code == 202, response.text
    shown = response.json()["server"]
    assert (shown["id"], shown["name"], shown["status"]) == (server_id, "rebuilt", "REBUILD")
    assert shown["image"]["id"] == image_id
    assert shown["metadata"] == {"new": "2"}
    assert shown["adminPass"] == "s3cret"
    assert shown["OS-EXT-STS:task_state"] == "rebuilding"  # 2.75+: the full server

    done = servers.wait_status(server_id, "ACTIVE")
    assert done["image"]["id"] == image_id
    assert done["hostId"] == server["hostId"]
    after = server_object(cluster, server_id)
    assert after["status"]["host"] == before["status"]["host"]
    new_dv = root_dv(cluster, after)
    assert new_dv is not None
    assert new_dv["metadata"]["uid"] != old_dv["metadata"]["uid"]
    assert new_dv["spec"]["source"] == {"http": {"url": "https://images.example/r.img"}}
    with servers.gateway.client("admin") as http:
        actions = http.get(f"{SERVERS}/{server_id}/os-instance-actions").json()["instanceActions"]
        assert actions[0]["action"] == "rebuild"
        detail = http.get(f"{SERVERS}/{server_id}/os-instance-actions/{actions[0]['request_id']}").json()
    events = detail["instanceAction"]["events"]
    assert [(e["event"], e["result"]) for e in events] == [("compute_rebuild_instance", "Success")]


def test_rebuild_schema_per_microversion(servers: ServerFactory) -> None:
    server_id = servers.active()["id"]
    image = servers.boot.image_id
    assert "'imageRef' is a required property" in fault(act(servers, server_id, {"rebuild": {}}), 400)
    for field, value, first in (
        ("key_name", None, "2.54"),
        ("user_data", "aGk=", "2.57"),
        ("hostname", "h1", "2.90"),
        ("description", "d", "2.19"),
    ):
        before = f"2.{int(first.split('.')[1]) - 1}"
        refused = act(servers, server_id, {"rebuild": {"imageRef": image, field: value}}, version=before)
        assert fault(refused, 400) == f"Additional properties are not allowed ('{field}' was unexpected)"
    refused = act(servers, server_id, {"rebuild": {"imageRef": image, "personality": []}}, version="2.57")
    assert fault(refused, 400) == "Additional properties are not allowed ('personality' was unexpected)"
    bad = act(servers, server_id, {"rebuild": {"imageRef": image, "user_data": "not base64!"}})
    assert "is not a 'base64'" in fault(bad, 400)
    missing = act(servers, server_id, {"rebuild": {"imageRef": "6e1fd7e4-0000-4000-8000-000000000000"}})
    assert fault(missing, 400) == "Can not find requested image"
    no_key = act(servers, server_id, {"rebuild": {"imageRef": image, "key_name": "nope"}})
    assert fault(no_key, 400) == "Invalid key_name provided."


def test_rebuild_guards_and_image_checks(
    servers: ServerFactory, cluster: Cluster, gateway: GatewayHandle
) -> None:
    server_id = servers.active()["id"]
    image = servers.boot.image_id
    assert act(servers, server_id, {"rebuild": {"imageRef": image}}, user="demo-reader").status_code == 403
    assert act(servers, server_id, {"lock": None}, user="admin").status_code == 202
    locked = act(servers, server_id, {"rebuild": {"imageRef": image}})
    assert fault(locked, 409) == f"Instance {server_id} is locked"
    assert act(servers, server_id, {"unlock": None}, user="admin").status_code == 202
    big_id, big_name = create_image(cluster, gateway, minDisk=50)
    try:
        too_big = act(servers, server_id, {"rebuild": {"imageRef": big_id}})
        assert "Flavor's disk is too small for requested image" in fault(too_big, 400)
    finally:
        delete_image(cluster, big_name)
    assert act(servers, server_id, {"rebuild": {"imageRef": image}}).status_code == 202
    again = act(servers, server_id, {"rebuild": {"imageRef": image}})
    assert fault(again, 409) == (
        f"Cannot 'rebuild' instance {server_id} while it is in task_state rebuilding"
    )
    servers.wait_status(server_id, "ACTIVE")
    # From SHUTOFF it stays SHUTOFF (Nova keeps stopped instances stopped).
    assert act(servers, server_id, {"os-stop": None}).status_code == 202
    servers.wait_status(server_id, "SHUTOFF")
    response = act(servers, server_id, {"rebuild": {"imageRef": image}}, version="2.1")
    assert response.status_code == 202
    assert "OS-EXT-STS:task_state" not in response.json()["server"]  # before 2.75: no extensions
    wait_for(
        lambda: (
            server_object(cluster, server_id)["status"].get("actions", [{}])[-1].get("result") == "Success"
        ),
        timeout=60,
        message="rebuild of the stopped server done",
    )
    assert servers.wait_status(server_id, "SHUTOFF")["OS-EXT-STS:power_state"] == 4


def test_a_new_image_the_host_cannot_run_ends_in_error_with_no_valid_host(
    servers: ServerFactory, cluster: Cluster, gateway: GatewayHandle
) -> None:
    """The simulator's Nodes are amd64: ImagePropertiesFilter refuses an aarch64 image on the
    server's host after the 202, as Nova's conductor does; the old image and disk stay."""
    server = servers.active()
    server_id = server["id"]
    before = server_object(cluster, server_id)
    old_dv = root_dv(cluster, before)
    assert old_dv is not None
    arm_id, arm_name = create_image(cluster, gateway, properties={"hw_architecture": "aarch64"})
    try:
        response = act(servers, server_id, {"rebuild": {"imageRef": arm_id}})
        assert response.status_code == 202, response.text
        assert response.json()["server"]["image"]["id"] == arm_id  # Nova shows the request's image
        failed = servers.wait_status(server_id, "ERROR")
    finally:
        delete_image(cluster, arm_name)
    assert failed["fault"]["message"] == "No valid host was found."
    assert failed["image"]["id"] == server["image"]["id"]  # rolled back, as Nova's conductor does
    assert failed["hostId"] == server["hostId"]
    after = server_object(cluster, server_id)
    assert after["status"]["host"] == before["status"]["host"]
    assert "ImagePropertiesFilter: (start: 1, end: 0)" in after["status"]["fault"]["details"]
    dv = root_dv(cluster, after)
    assert dv is not None
    assert dv["metadata"]["uid"] == old_dv["metadata"]["uid"]
    with servers.gateway.client("admin") as http:
        actions = http.get(f"{SERVERS}/{server_id}/os-instance-actions").json()["instanceActions"]
        assert (actions[0]["action"], actions[0]["message"]) == ("rebuild", "Error")
        detail = http.get(f"{SERVERS}/{server_id}/os-instance-actions/{actions[0]['request_id']}").json()
    events = detail["instanceAction"]["events"]
    assert [(e["event"], e["result"]) for e in events] == [("rebuild_server", "Error")]
