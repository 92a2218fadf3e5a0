"""Limits: absolute limits from the project's quota set per microversion, usage counted from its
Servers, another project's limits for admins only, ``reserved`` tolerated, golden samples."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.samples import assert_sample
from tests.api.test_quota_sets import PROJECT, QUOTAS, Servers
from tests.fixtures.gateway import GatewayHandle
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

LIMITS = "/compute/v2.1/limits"
ALWAYS = {
    "maxTotalInstances",
    "maxTotalCores",
    "maxTotalRAMSize",
    "maxServerMeta",
    "maxTotalKeypairs",
    "maxServerGroups",
    "maxServerGroupMembers",
    "totalInstancesUsed",
    "totalCoresUsed",
    "totalRAMUsed",
    "totalServerGroupsUsed",
}
NETWORK = {
    "maxTotalFloatingIps",
    "maxSecurityGroups",
    "maxSecurityGroupRules",
    "totalFloatingIpsUsed",
    "totalSecurityGroupsUsed",
}
PERSONALITY = {"maxPersonality", "maxPersonalitySize"}


@pytest.fixture
def servers(gateway: GatewayHandle) -> Iterator[Servers]:
    helper = Servers(gateway.api_client, PROJECT)
    try:
        yield helper
    finally:
        helper.cleanup()


@pytest.fixture
def project_id(gateway: GatewayHandle) -> Iterator[str]:
    project = gateway.project_id(PROJECT)
    yield project
    with gateway.client("admin") as http:
        http.delete(f"{QUOTAS}/{project}")


def absolute(http: httpx.Client, **params: str) -> dict[str, Any]:
    response = http.get(LIMITS, params=params)
    assert response.status_code == 200, response.text
    body = response.json()["limits"]
    assert body["rate"] == []
    limits: dict[str, Any] = body["absolute"]
    return limits


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("2.1", ALWAYS | NETWORK | PERSONALITY | {"maxImageMeta"}),
        ("2.36", ALWAYS | PERSONALITY | {"maxImageMeta"}),
        ("2.39", ALWAYS | PERSONALITY),
        ("2.57", ALWAYS),
    ],
)
def test_names_per_microversion(gateway: GatewayHandle, version: str, expected: set[str]) -> None:
    with gateway.client("alt-member", version=version) as http:
        assert set(absolute(http)) == expected


def test_limits_follow_the_quota_set_and_usage(
    gateway: GatewayHandle, project_id: str, servers: Servers
) -> None:
    with gateway.client("alt-member") as member:
        before = absolute(member, reserved="False")  # OSC's query, tolerated
        assert before["maxTotalInstances"] == gateway.settings.quotas.instances
        assert before["maxServerMeta"] == before["maxImageMeta"] == gateway.settings.quotas.metadata_items
        with gateway.client("admin") as admin:
            admin.put(f"{QUOTAS}/{project_id}", json={"quota_set": {"instances": 7, "cores": 9}})
        servers.create(servers.flavor(vcpus=3, ram=128))

        def counted() -> dict[str, Any] | None:
            now = absolute(member)
            return now if now["totalInstancesUsed"] == before["totalInstancesUsed"] + 1 else None

        after = wait_for(counted, timeout=15, message="server counted in limits")
        assert after is not None
        assert (after["maxTotalInstances"], after["maxTotalCores"]) == (7, 9)
        assert after["totalCoresUsed"] == before["totalCoresUsed"] + 3
        assert after["totalRAMUsed"] == before["totalRAMUsed"] + 128


def test_other_projects_are_for_admins(gateway: GatewayHandle, project_id: str) -> None:
    with gateway.client("admin") as admin:
        admin.put(f"{QUOTAS}/{project_id}", json={"quota_set": {"instances": 3}})
        assert absolute(admin, tenant_id=project_id)["maxTotalInstances"] == 3
        assert absolute(admin)["maxTotalInstances"] == gateway.settings.quotas.instances
    with gateway.client("demo-member") as member:
        refused = member.get(LIMITS, params={"tenant_id": project_id})
        assert refused.status_code == 403
        own = gateway.project_id("demo")
        assert member.get(LIMITS, params={"tenant_id": own}).status_code == 200


def test_samples(gateway: GatewayHandle) -> None:
    for version in ("2.1", "2.57"):
        with gateway.client("alt-member", version=version) as http:
            body = http.get(LIMITS).json()
        # Usage depends on what else the session left in the project; the sample shows its shape.
        for key in body["limits"]["absolute"]:
            if key.startswith("total"):
                body["limits"]["absolute"][key] = 0
        assert_sample("limits", version, "limit-get-resp", body, base_url=gateway.url)
