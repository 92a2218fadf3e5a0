"""Quota classes: the ``default`` class is the limits of every project without its own, stored
in the kubenova-quotas ConfigMap; other classes are kept but apply to no project; resources per
microversion, validation and policy."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import httpx
import pytest
from kubernetes import client

from tests.api.samples import assert_sample
from tests.fixtures.gateway import GatewayHandle
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

CLASSES = "/compute/v2.1/os-quota-class-sets"
QUOTAS = "/compute/v2.1/os-quota-sets"
BASE = {"instances", "cores", "ram", "key_pairs", "metadata_items"}
GROUPS = {"server_groups", "server_group_members"}
NETWORK = {"fixed_ips", "floating_ips", "security_groups", "security_group_rules"}
PERSONALITY = {"injected_files", "injected_file_content_bytes", "injected_file_path_bytes"}


@pytest.fixture
def admin(gateway: GatewayHandle) -> Iterator[httpx.Client]:
    with gateway.client("admin", version="2.57") as http:
        yield http


@pytest.fixture
def default_class(admin: httpx.Client) -> Iterator[dict[str, int]]:
    """The default class as it was; put back afterwards."""
    before = admin.get(f"{CLASSES}/default").json()["quota_class_set"]
    del before["id"]
    yield before
    assert admin.put(f"{CLASSES}/default", json={"quota_class_set": before}).status_code == 200


def test_resources_per_microversion(gateway: GatewayHandle) -> None:
    cases = [
        ("2.1", BASE | NETWORK | PERSONALITY),
        ("2.50", BASE | GROUPS | PERSONALITY),
        ("2.57", BASE | GROUPS),
    ]
    for version, expected in cases:
        with gateway.client("admin", version=version) as http:
            response = http.get(f"{CLASSES}/default")
        assert response.status_code == 200
        body = response.json()["quota_class_set"]
        assert body.pop("id") == "default"
        assert set(body) == expected, version
        assert_sample(
            "quota_class_sets", version, "quota-classes-show-get-resp", response.json(), base_url=gateway.url
        )


def test_default_class_is_every_projects_default(
    gateway: GatewayHandle, admin: httpx.Client, default_class: dict[str, int]
) -> None:
    project = gateway.project_id("alt")
    raised = default_class["instances"] + 7
    updated = admin.put(
        f"{CLASSES}/default", json={"quota_class_set": {"instances": str(raised), "cores": -1}}
    )
    assert updated.status_code == 200, updated.text
    body = updated.json()["quota_class_set"]
    assert "id" not in body
    assert (body["instances"], body["cores"]) == (raised, -1)
    assert admin.get(f"{CLASSES}/default").json()["quota_class_set"]["instances"] == raised
    assert admin.get(f"{QUOTAS}/{project}/defaults").json()["quota_set"]["instances"] == raised
    assert admin.get(f"{QUOTAS}/{project}").json()["quota_set"]["instances"] == raised
    with gateway.client("alt-member") as member:
        limits = member.get("/compute/v2.1/limits").json()["limits"]["absolute"]
    assert limits["maxTotalInstances"] == raised
    data = (
        client.CoreV1Api(gateway.api_client)
        .read_namespaced_config_map("kubenova-quotas", gateway.settings.identity_namespace)
        .data
    )
    assert data["quota-class.default.instances"] == str(raised)


def test_other_classes_are_kept_apart(admin: httpx.Client, default_class: dict[str, int]) -> None:
    name = f"gold-{secrets.token_hex(3)}"
    assert admin.put(f"{CLASSES}/{name}", json={"quota_class_set": {"ram": 1024}}).status_code == 200
    gold = wait_for(
        lambda: admin.get(f"{CLASSES}/{name}").json()["quota_class_set"],
        timeout=5,
        message="class stored",
    )
    assert gold["id"] == name
    assert gold["ram"] == 1024
    assert gold["instances"] == default_class["instances"]  # the default class fills the rest
    assert admin.get(f"{CLASSES}/default").json()["quota_class_set"]["ram"] == default_class["ram"]
    spaced = admin.put(f"{CLASSES}/a class.x", json={"quota_class_set": {"cores": 3}})
    assert spaced.status_code == 200
    assert admin.get(f"{CLASSES}/a class.x").json()["quota_class_set"]["cores"] == 3


@pytest.mark.parametrize(
    ("version", "body", "message"),
    [
        (
            "2.57",
            {"quota_class_set": {"force": True}},
            "Invalid input for field/attribute quota_class_set. Value: {'force': True}. "
            "Additional properties are not allowed ('force' was unexpected)",
        ),
        (
            "2.57",
            {"quota_class_set": {"injected_files": 1}},
            "Invalid input for field/attribute quota_class_set. Value: {'injected_files': 1}. "
            "Additional properties are not allowed ('injected_files' was unexpected)",
        ),
        (
            "2.50",
            {"quota_class_set": {"fixed_ips": 1}},
            "Invalid input for field/attribute quota_class_set. Value: {'fixed_ips': 1}. "
            "Additional properties are not allowed ('fixed_ips' was unexpected)",
        ),
        (
            "2.57",
            {"quota_class_set": {"instances": -2}},
            "Invalid input for field/attribute instances. Value: -2. -2 is less than the minimum of -1",
        ),
        (
            "2.57",
            {"quota_class_set": {"instances": None}},
            "Invalid input for field/attribute instances. Value: None. "
            "None is not of type 'integer', 'string'",
        ),
        ("2.57", {}, "'quota_class_set' is a required property"),
    ],
)
def test_validation(gateway: GatewayHandle, version: str, body: dict[str, object], message: str) -> None:
    with gateway.client("admin", version=version) as http:
        response = http.put(f"{CLASSES}/default", json=body)
    assert response.status_code == 400
    assert response.json()["badRequest"]["message"] == message


def test_policy(gateway: GatewayHandle) -> None:
    with gateway.client("demo-manager") as http:
        shown = http.get(f"{CLASSES}/default")
        updated = http.put(f"{CLASSES}/default", json={"quota_class_set": {"instances": 1}})
    assert shown.status_code == 403
    assert shown.json()["forbidden"]["message"] == (
        "Policy doesn't allow os_compute_api:os-quota-class-sets:show to be performed."
    )
    assert updated.status_code == 403
