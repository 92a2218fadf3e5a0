"""Fixtures shared by the servers API tests (``test_servers*.py``, ``test_server_*.py``).

They import what they use from here; this module holds no tests. Servers run for real: the
gateway writes Server objects, the session's operator builds them on the KubeVirt simulator.

- ``boot`` (session): an Image object (created with the cluster client, as Glance ids are Image
  uids) and a flavor (created through the API), both removed at the end of the session;
- ``servers`` (function): a factory creating servers through the API as a given user, waiting
  for statuses, and deleting everything it created when the test ends (waiting until gone, so
  no test leaves quota usage behind).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from kubenova.resources import GROUP, VERSION
from kubenova_api.network.views import network_id
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

SERVERS = "/compute/v2.1/servers"
FLAVORS = "/compute/v2.1/flavors"
IMAGE_SOURCE = "quay.io/kubevirt/cirros-container-disk-demo:v1.4.0"
LATEST = "2.100"
BUILD_TIMEOUT = 90.0


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Boot:
    """What servers boot from: a Glance image id and a flavor id, plus the network's id."""

    image_id: str
    image_object: str
    flavor_id: str
    flavor_vcpus: int
    flavor_ram: int
    network_id: str


def create_image(cluster: Cluster, gateway: GatewayHandle, **spec: Any) -> tuple[str, str]:
    """An Image object (``spec`` overrides), visible through the gateway; (Glance id, object name)."""
    name = unique("img")
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Image",
        "metadata": {"name": name},
        "spec": {"name": name, "containerDisk": {"image": IMAGE_SOURCE}, **spec},
    }
    with cluster.connected() as api:
        created = cast(
            "dict[str, Any]",
            client.CustomObjectsApi(api).create_cluster_custom_object(GROUP, VERSION, "images", body),
        )
    image_id = str(created["metadata"]["uid"])
    with gateway.client("admin") as http:
        wait_for(
            lambda: http.get(f"/image/v2/images/{image_id}").status_code == 200,
            timeout=30,
            message=f"image {image_id} visible through the gateway",
        )
    return image_id, name


def delete_image(cluster: Cluster, name: str) -> None:
    with cluster.connected() as api:
        try:
            client.CustomObjectsApi(api).delete_cluster_custom_object(GROUP, VERSION, "images", name)
        except ApiException as exc:
            if exc.status != 404:
                raise


def create_flavor(
    gateway: GatewayHandle, *, vcpus: int = 1, ram: int = 64, disk: int = 1, **extra: Any
) -> str:
    flavor_id = unique("srv-flv")
    body = {"flavor": {"name": flavor_id, "id": flavor_id, "vcpus": vcpus, "ram": ram, "disk": disk, **extra}}
    with gateway.client("admin") as http:
        response = http.post(FLAVORS, json=body)
        assert response.status_code == 200, response.text
    return flavor_id


def delete_flavor(gateway: GatewayHandle, flavor_id: str) -> None:
    with gateway.client("admin") as http:
        http.delete(f"{FLAVORS}/{flavor_id}")


@pytest.fixture(scope="session")
def boot(gateway: GatewayHandle, cluster: Cluster) -> Iterator[Boot]:
    image_id, image_object = create_image(cluster, gateway)
    flavor_id = create_flavor(gateway)
    try:
        yield Boot(image_id, image_object, flavor_id, 1, 64, network_id(gateway.settings.network_name))
    finally:
        delete_flavor(gateway, flavor_id)
        delete_image(cluster, image_object)


@dataclass
class ServerFactory:
    """Creates servers through the API and removes them when the test ends."""

    gateway: GatewayHandle
    boot: Boot
    operator: OperatorHandle
    created: list[str] = field(default_factory=list)

    def body(self, name: str | None = None, **fields: Any) -> dict[str, Any]:
        """A create body like ``openstack server create --image --flavor`` sends."""
        server: dict[str, Any] = {
            "name": name or unique("vm"),
            "imageRef": self.boot.image_id,
            "flavorRef": self.boot.flavor_id,
            "min_count": 1,
            "max_count": 1,
            "networks": "auto",
            "block_device_mapping_v2": [
                {
                    "uuid": self.boot.image_id,
                    "boot_index": 0,
                    "source_type": "image",
                    "destination_type": "local",
                    "delete_on_termination": True,
                }
            ],
        }
        server.update(fields)
        return {"server": server}

    def post(
        self, user: str = "demo-member", body: dict[str, Any] | None = None, *, version: str = LATEST
    ) -> httpx.Response:
        """POST /servers; remembers what it created (also on multi-create) for clean-up."""
        with self.gateway.client(user, version=version) as http:
            before = self._ids(http)
            response = http.post(SERVERS, json=body if body is not None else self.body())
            if response.status_code == 202:
                self.created.extend(sorted(self._ids(http) - before))
        return response

    def create(self, user: str = "demo-member", *, version: str = LATEST, **fields: Any) -> dict[str, Any]:
        """Create one server; returns the create answer's ``server``."""
        response = self.post(user, self.body(**fields), version=version)
        assert response.status_code == 202, response.text
        server: dict[str, Any] = response.json()["server"]
        return server

    def show(self, user: str, server_id: str, *, version: str = LATEST) -> httpx.Response:
        with self.gateway.client(user, version=version) as http:
            return http.get(f"{SERVERS}/{server_id}")

    def wait_status(
        self, server_id: str, status: str, *, user: str = "demo-member", timeout: float = BUILD_TIMEOUT
    ) -> dict[str, Any]:
        """Wait until the server shows ``status`` with no task running; returns the server."""

        def settled() -> dict[str, Any] | None:
            self.operator.check_alive()
            response = self.show(user, server_id)
            assert response.status_code == 200, response.text
            server: dict[str, Any] = response.json()["server"]
            if server["status"] == "ERROR" and status != "ERROR":
                raise AssertionError(f"server {server_id} went to ERROR: {server.get('fault')}")
            if server["status"] == status and server["OS-EXT-STS:task_state"] is None:
                return server
            return None

        found: dict[str, Any] | None = wait_for(
            settled, timeout=timeout, interval=0.3, message=f"server {server_id} {status}"
        )
        assert found is not None
        return found

    def active(self, user: str = "demo-member", **fields: Any) -> dict[str, Any]:
        """Create a server and wait for ACTIVE."""
        created = self.create(user, **fields)
        return self.wait_status(created["id"], "ACTIVE", user=user)

    def wait_gone(self, server_id: str, timeout: float = 60) -> None:
        wait_for(
            lambda: self.show("admin", server_id).status_code == 404,
            timeout=timeout,
            message=f"server {server_id} deleted",
        )

    def _ids(self, http: httpx.Client) -> set[str]:
        response = http.get(SERVERS)
        if response.status_code != 200:
            return set()
        return {s["id"] for s in response.json()["servers"]}

    def cleanup(self) -> None:
        with self.gateway.client("admin", version=LATEST) as http:
            for server_id in self.created:
                http.delete(f"{SERVERS}/{server_id}")
        for server_id in self.created:
            self.wait_gone(server_id)


@pytest.fixture
def servers(gateway: GatewayHandle, operator: OperatorHandle, boot: Boot) -> Iterator[ServerFactory]:
    factory = ServerFactory(gateway, boot, operator)
    try:
        yield factory
    finally:
        factory.cleanup()
