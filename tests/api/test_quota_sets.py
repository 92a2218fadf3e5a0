"""Quota sets: limits per microversion, defaults, detail with usage counted from Servers, admin
updates kept in the kubenova-quotas ConfigMap (seen by every replica), reset, validation, the
force rule, policy, the quota check (``compute.quotas.check``) and golden samples."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from kubenova.resources import GROUP, VERSION
from kubenova_api import errors
from kubenova_api.compute import quotas
from kubenova_api.store import Store
from kubenova_api.store.kube import connect
from tests.api.samples import assert_sample
from tests.fixtures.gateway import GatewayHandle
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

QUOTAS = "/compute/v2.1/os-quota-sets"
CONFIGMAP = "kubenova-quotas"
PROJECT = "alt"  # the project these tests give servers and limits to (reset afterwards)
BASE = {"instances", "cores", "ram", "key_pairs", "metadata_items", "server_groups", "server_group_members"}
NETWORK = {"fixed_ips", "floating_ips", "security_groups", "security_group_rules"}
PERSONALITY = {"injected_files", "injected_file_content_bytes", "injected_file_path_bytes"}


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


@pytest.fixture
def project_id(gateway: GatewayHandle) -> Iterator[str]:
    """The project's id; its limits are reset when the test ends."""
    project = gateway.project_id(PROJECT)
    yield project
    with gateway.client("admin") as http:
        http.delete(f"{QUOTAS}/{project}")


@pytest.fixture
def admin(gateway: GatewayHandle) -> Iterator[httpx.Client]:
    with gateway.client("admin", version="2.56") as http:  # what OSC sends
        yield http


class Servers:
    """Server objects made in a project's namespace with kubectl's rights (usage is counted from
    them whether or not anything runs them); removed again at the end."""

    def __init__(self, api: client.ApiClient, namespace: str) -> None:
        self.custom = client.CustomObjectsApi(api)
        self.namespace = namespace
        self.names: list[str] = []
        self.cluster_objects: list[tuple[str, str]] = []

    def flavor(self, vcpus: int, ram: int) -> str:
        name = unique("qflv")
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "Flavor",
            "metadata": {"name": name},
            "spec": {"vcpus": vcpus, "ram": ram, "disk": 1},
        }
        self.custom.create_cluster_custom_object(GROUP, VERSION, "flavors", body)
        self.cluster_objects.append(("flavors", name))
        return name

    def create(self, flavor: str) -> str:
        name = unique("qsrv")
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": "Server",
            "metadata": {"name": name},
            "spec": {"flavor": flavor, "image": "no-such-image"},
        }
        self.custom.create_namespaced_custom_object(GROUP, VERSION, self.namespace, "servers", body)
        self.names.append(name)
        return name

    def cleanup(self) -> None:
        for name in self.names:
            try:
                self.custom.delete_namespaced_custom_object(GROUP, VERSION, self.namespace, "servers", name)
            except ApiException as exc:
                if exc.status != 404:
                    raise

        def gone() -> bool:
            listing = cast(
                dict[str, Any],
                self.custom.list_namespaced_custom_object(GROUP, VERSION, self.namespace, "servers"),
            )
            return not {s["metadata"]["name"] for s in listing["items"]} & set(self.names)

        wait_for(gone, timeout=60, message="test servers deleted")
        for plural, name in self.cluster_objects:
            self.custom.delete_cluster_custom_object(GROUP, VERSION, plural, name)


@pytest.fixture
def servers(gateway: GatewayHandle) -> Iterator[Servers]:
    helper = Servers(gateway.api_client, PROJECT)
    try:
        yield helper
    finally:
        helper.cleanup()


def quota_set(http: httpx.Client, path: str) -> dict[str, Any]:
    response = http.get(path)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()["quota_set"]
    return body


def test_resources_per_microversion(gateway: GatewayHandle, project_id: str) -> None:
    for version, expected in (
        ("2.1", BASE | NETWORK | PERSONALITY),
        ("2.36", BASE | PERSONALITY),
        ("2.57", BASE),
    ):
        with gateway.client("admin", version=version) as http:
            shown = quota_set(http, f"{QUOTAS}/{project_id}")
            assert set(shown) == expected | {"id"}, version
            assert shown["id"] == project_id
            defaults = quota_set(http, f"{QUOTAS}/{project_id}/defaults")
            assert set(defaults) == expected | {"id"}
    with gateway.client("admin", version="2.1") as http:
        defaults = quota_set(http, f"{QUOTAS}/{project_id}/defaults")
    settings = gateway.settings.quotas
    assert (defaults["instances"], defaults["cores"], defaults["ram"]) == (
        settings.instances,
        settings.cores,
        settings.ram,
    )
    assert (defaults["floating_ips"], defaults["fixed_ips"], defaults["injected_files"]) == (10, -1, 5)


def test_update_is_stored_in_the_configmap_and_reset_by_delete(
    gateway: GatewayHandle, admin: httpx.Client, project_id: str
) -> None:
    updated = admin.put(f"{QUOTAS}/{project_id}", json={"quota_set": {"instances": 20, "cores": "30"}})
    assert updated.status_code == 200, updated.text
    body = updated.json()["quota_set"]
    assert "id" not in body  # Nova's update answer has no id
    assert (body["instances"], body["cores"], body["ram"]) == (20, 30, gateway.settings.quotas.ram)
    assert quota_set(admin, f"{QUOTAS}/{project_id}")["instances"] == 20

    core = client.CoreV1Api(gateway.api_client)
    data = core.read_namespaced_config_map(CONFIGMAP, gateway.settings.identity_namespace).data or {}
    assert data[f"{project_id}.instances"] == "20"
    assert data[f"{project_id}.cores"] == "30"

    deleted = admin.delete(f"{QUOTAS}/{project_id}")
    assert (deleted.status_code, deleted.content) == (202, b"")
    assert quota_set(admin, f"{QUOTAS}/{project_id}")["instances"] == gateway.settings.quotas.instances
    data = core.read_namespaced_config_map(CONFIGMAP, gateway.settings.identity_namespace).data or {}
    assert not [key for key in data if key.startswith(project_id)]


def test_validation(gateway: GatewayHandle, admin: httpx.Client, project_id: str) -> None:
    for bad in (
        {"instances": -2},
        {"instances": "many"},
        {"instances": True},
        {"no_such": 1},
        {"floating_ips": 1},
    ):
        response = admin.put(f"{QUOTAS}/{project_id}", json={"quota_set": bad})
        assert response.status_code == 400, bad
    with gateway.client("admin", version="2.35") as old:
        assert old.put(f"{QUOTAS}/{project_id}", json={"quota_set": {"floating_ips": 3}}).status_code == 200
        assert quota_set(old, f"{QUOTAS}/{project_id}")["floating_ips"] == 3
    unlimited = admin.put(f"{QUOTAS}/{project_id}", json={"quota_set": {"ram": -1}})
    assert unlimited.json()["quota_set"]["ram"] == -1
    assert admin.get(f"{QUOTAS}/0123456789abcdef0123456789abcdef").json()["badRequest"]["message"] == (
        "Project ID 0123456789abcdef0123456789abcdef is not a valid project."
    )
    per_user = admin.put(f"{QUOTAS}/{project_id}", params={"user_id": "u"}, json={"quota_set": {"ram": 1}})
    assert per_user.status_code == 501


def test_detail_counts_the_projects_servers(
    gateway: GatewayHandle, admin: httpx.Client, project_id: str, servers: Servers
) -> None:
    before = quota_set(admin, f"{QUOTAS}/{project_id}/detail")
    assert before["instances"]["reserved"] == 0
    flavor = servers.flavor(vcpus=2, ram=300)
    servers.create(flavor)

    def counted() -> dict[str, Any] | None:
        now = quota_set(admin, f"{QUOTAS}/{project_id}/detail")
        return now if now["instances"]["in_use"] == before["instances"]["in_use"] + 1 else None

    after = wait_for(counted, timeout=15, message="server counted")
    assert after is not None
    assert after["cores"]["in_use"] == before["cores"]["in_use"] + 2
    assert after["ram"]["in_use"] == before["ram"]["in_use"] + 300
    assert after["instances"]["limit"] == gateway.settings.quotas.instances

    # Below usage only with force.
    used = after["instances"]["in_use"]
    refused = admin.put(f"{QUOTAS}/{project_id}", json={"quota_set": {"instances": used - 1}})
    assert refused.status_code == 400
    assert refused.json()["badRequest"]["message"] == (
        f"Quota limit {used - 1} for instances must be greater than or equal to already used and "
        f"reserved {used}."
    )
    forced = admin.put(f"{QUOTAS}/{project_id}", json={"quota_set": {"instances": used - 1, "force": True}})
    assert forced.status_code == 200
    assert forced.json()["quota_set"]["instances"] == used - 1


def test_policy(gateway: GatewayHandle, project_id: str) -> None:
    demo = gateway.project_id("demo")
    with gateway.client("alt-member") as member:
        assert member.get(f"{QUOTAS}/{project_id}").status_code == 200
        assert member.get(f"{QUOTAS}/{project_id}/detail").status_code == 200
        assert member.get(f"{QUOTAS}/{demo}").status_code == 403
        assert member.get(f"{QUOTAS}/{demo}/defaults").status_code == 200
        refused = member.put(f"{QUOTAS}/{project_id}", json={"quota_set": {"instances": 100}})
        assert refused.status_code == 403
        assert member.delete(f"{QUOTAS}/{project_id}").status_code == 403


def test_check_quota_on_another_replica(
    gateway: GatewayHandle, cluster: Cluster, admin: httpx.Client, project_id: str, servers: Servers
) -> None:
    """The quota check as server create calls it, in a second gateway Store (another replica):
    it sees limits set through the API and usage from Servers."""
    flavor = servers.flavor(vcpus=2, ram=512)
    servers.create(flavor)
    defaults = gateway.settings.quotas
    with cluster.connected() as api:
        replica = Store(connect(api_client=api), identity_namespace=gateway.settings.identity_namespace)
        replica.start()
        try:
            assert replica.wait_synced(30) == []
            used = wait_for(
                lambda: quotas.usage(replica, PROJECT) if quotas.usage(replica, PROJECT).instances else None,
                timeout=15,
                message="replica counts the server",
            )
            assert used is not None
            admin.put(f"{QUOTAS}/{project_id}", json={"quota_set": {"instances": used.instances + 1}})
            wait_for(
                lambda: replica.quotas.overrides(project_id).get("instances") == used.instances + 1,
                timeout=15,
                message="replica sees the new limit",
            )
            check = functools.partial(quotas.check, replica)
            check(project_id, namespace=PROJECT, settings_defaults=defaults, instances=1, cores=2, ram=512)
            with pytest.raises(errors.QuotaExceededError) as refused:
                check(
                    project_id, namespace=PROJECT, settings_defaults=defaults, instances=2, cores=4, ram=1024
                )
            assert refused.value.message == (
                f"Quota exceeded for instances: Requested 2, but already used {used.instances} "
                f"of {used.instances + 1} instances"
            )
            admin.put(f"{QUOTAS}/{project_id}", json={"quota_set": {"cores": used.cores + 1, "force": True}})
            wait_for(
                lambda: replica.quotas.overrides(project_id).get("cores") == used.cores + 1,
                timeout=15,
                message="replica sees the cores limit",
            )
            with pytest.raises(errors.QuotaExceededError, match="Quota exceeded for cores: Requested 2"):
                check(project_id, namespace=PROJECT, settings_defaults=defaults, instances=1, cores=2, ram=0)
        finally:
            replica.stop()


def test_samples(gateway: GatewayHandle, project_id: str) -> None:
    for version in ("2.1", "2.36", "2.57"):
        with gateway.client("admin", version=version) as http:
            shown = http.get(f"{QUOTAS}/{project_id}").json()
            assert_sample("quota_sets", version, "quotas-show-get-resp", shown, base_url=gateway.url)
            updated = http.put(f"{QUOTAS}/{project_id}", json={"quota_set": {"instances": 45}}).json()
            assert_sample("quota_sets", version, "quotas-update-post-resp", updated, base_url=gateway.url)
            http.delete(f"{QUOTAS}/{project_id}")
