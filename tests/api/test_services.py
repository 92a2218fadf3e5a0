"""Compute services: one nova-compute per Node; disabling cordons the Node (with the reason as an
annotation), forcing down taints it; the pre-2.53 host/binary actions; delete refused; filters,
microversions, policy and golden samples."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from kubernetes import client

from tests.api.samples import assert_sample
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

SERVICES = "/compute/v2.1/os-services"
REASON_ANNOTATION = "compute.kubenova.io/disabled-reason"
FORCED_DOWN_TAINT = "compute.kubenova.io/forced-down"


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


@pytest.fixture
def admin(gateway: GatewayHandle) -> Iterator[httpx.Client]:
    with gateway.client("admin", version="2.69") as http:
        yield http


def service_of(http: httpx.Client, host: str) -> dict[str, Any]:
    services: list[dict[str, Any]] = http.get(SERVICES, params={"host": host}).json()["services"]
    assert len(services) == 1, services
    return services[0]


@pytest.fixture
def node(managed_node: ManagedNodeFactory, admin: httpx.Client) -> str:
    name = managed_node(unique("svc"), taint=True)
    wait_for(
        lambda: admin.get(SERVICES, params={"host": name}).json()["services"],
        timeout=15,
        message=f"gateway knows {name}",
    )
    return name


def kube_node(gateway: GatewayHandle, name: str) -> Any:
    return client.CoreV1Api(gateway.api_client).read_node(name)


def test_one_compute_service_per_node(gateway: GatewayHandle, node: str, admin: httpx.Client) -> None:
    uid = kube_node(gateway, node).metadata.uid
    service = service_of(admin, node)
    assert service["id"] == uid
    assert (service["binary"], service["host"], service["zone"]) == ("nova-compute", node, "nova")
    assert (service["status"], service["state"], service["forced_down"]) == ("enabled", "up", False)
    assert service["disabled_reason"] is None
    assert service["updated_at"].endswith(".000000")
    assert [
        s["host"] for s in admin.get(SERVICES, params={"binary": "nova-scheduler"}).json()["services"]
    ] == []
    with gateway.client("admin", version="2.10") as old:
        legacy = service_of(old, node)
        assert isinstance(legacy["id"], int)
        assert "forced_down" not in legacy
    with gateway.client("admin", version="2.11") as v211:
        assert service_of(v211, node)["forced_down"] is False


def test_unknown_query_parameters_from_2_75(gateway: GatewayHandle, node: str) -> None:
    with gateway.client("admin", version="2.74") as old:
        assert old.get(SERVICES, params={"host": node, "bogus": "1"}).status_code == 200
    with gateway.client("admin", version="2.75") as new:
        refused = new.get(SERVICES, params={"host": node, "bogus": "1"})
        assert refused.status_code == 400
        assert "'bogus' was unexpected" in refused.json()["badRequest"]["message"]


def test_disable_cordons_and_enable_uncordons(gateway: GatewayHandle, node: str) -> None:
    uid = kube_node(gateway, node).metadata.uid
    with gateway.client("admin", version="2.53") as http:
        disabled = http.put(
            f"{SERVICES}/{uid}", json={"status": "disabled", "disabled_reason": "maintenance"}
        )
        assert disabled.status_code == 200, disabled.text
        body = disabled.json()["service"]
        assert (body["status"], body["disabled_reason"], body["id"]) == ("disabled", "maintenance", uid)
        kube = kube_node(gateway, node)
        assert kube.spec.unschedulable is True
        assert kube.metadata.annotations[REASON_ANNOTATION] == "maintenance"
        hypervisor = http.get(f"/compute/v2.1/os-hypervisors/{uid}").json()["hypervisor"]
        assert hypervisor["status"] == "disabled"
        assert hypervisor["service"]["disabled_reason"] == "maintenance"

        with_reason = http.put(f"{SERVICES}/{uid}", json={"status": "enabled", "disabled_reason": "x"})
        assert with_reason.status_code == 400
        enabled = http.put(f"{SERVICES}/{uid}", json={"status": "enabled"})
        assert enabled.json()["service"]["status"] == "enabled"
        assert enabled.json()["service"]["disabled_reason"] is None
        kube = kube_node(gateway, node)
        assert not kube.spec.unschedulable
        assert REASON_ANNOTATION not in (kube.metadata.annotations or {})


def test_kubectl_cordon_is_a_disabled_service(gateway: GatewayHandle, node: str, admin: httpx.Client) -> None:
    core = client.CoreV1Api(gateway.api_client)
    core.patch_node(node, {"spec": {"unschedulable": True}})
    wait_for(lambda: service_of(admin, node)["status"] == "disabled", timeout=10, message="cordon seen")
    assert service_of(admin, node)["disabled_reason"] is None
    core.patch_node(node, {"spec": {"unschedulable": None}})
    wait_for(lambda: service_of(admin, node)["status"] == "enabled", timeout=10, message="uncordon seen")


def test_forced_down_taints_the_node(gateway: GatewayHandle, node: str) -> None:
    uid = kube_node(gateway, node).metadata.uid
    with gateway.client("admin", version="2.53") as http:
        down = http.put(f"{SERVICES}/{uid}", json={"forced_down": True})
        assert down.status_code == 200, down.text
        assert (down.json()["service"]["forced_down"], down.json()["service"]["state"]) == (True, "down")
        taints = {t.key: t for t in kube_node(gateway, node).spec.taints}
        assert taints[FORCED_DOWN_TAINT].effect == "NoSchedule"
        assert "kubenova.io/test-node" in taints  # other taints are kept
        up = http.put(f"{SERVICES}/{uid}", json={"forced_down": "false"})
        assert (up.json()["service"]["forced_down"], up.json()["service"]["state"]) == (False, "up")
        keys = {t.key for t in kube_node(gateway, node).spec.taints}
        assert keys == {"kubenova.io/test-node"}


def test_update_errors(gateway: GatewayHandle, node: str) -> None:
    uid = kube_node(gateway, node).metadata.uid
    with gateway.client("admin", version="2.53") as http:
        assert http.put(f"{SERVICES}/{node}", json={"status": "disabled"}).json()["badRequest"][
            "message"
        ] == (f"Invalid uuid {node}")
        missing = http.put(f"{SERVICES}/{uuid.uuid4()}", json={"status": "disabled"})
        assert missing.status_code == 404
        nothing = http.put(f"{SERVICES}/{uid}", json={})
        assert nothing.status_code == 400
        assert nothing.json()["badRequest"]["message"].startswith("No updates were requested.")
        assert http.put(f"{SERVICES}/{uid}", json={"status": "paused"}).status_code == 400
        assert http.put(f"{SERVICES}/{uid}", json={"forced_down": "perhaps"}).status_code == 400
        assert http.put(f"{SERVICES}/{uid}", json={"status": "enabled", "extra": 1}).status_code == 400


def test_legacy_actions_before_2_53(gateway: GatewayHandle, node: str) -> None:
    target = {"host": node, "binary": "nova-compute"}
    with gateway.client("admin", version="2.1") as http:
        disabled = http.put(f"{SERVICES}/disable-log-reason", json={**target, "disabled_reason": "r1"})
        assert disabled.status_code == 200, disabled.text
        assert disabled.json() == {
            "service": {"host": node, "binary": "nova-compute", "status": "disabled", "disabled_reason": "r1"}
        }
        assert kube_node(gateway, node).spec.unschedulable is True
        no_reason = http.put(f"{SERVICES}/disable-log-reason", json=target)
        assert no_reason.json()["badRequest"]["message"] == "Missing disabled reason field"
        assert http.put(f"{SERVICES}/disable", json=target).json()["service"]["status"] == "disabled"
        enabled = http.put(f"{SERVICES}/enable", json=target)
        assert enabled.json() == {"service": {"host": node, "binary": "nova-compute", "status": "enabled"}}
        assert not kube_node(gateway, node).spec.unschedulable

        wrong_binary = http.put(f"{SERVICES}/disable", json={"host": node, "binary": "nova-scheduler"})
        assert wrong_binary.status_code == 400
        assert "Only nova-compute services can be updated." in wrong_binary.json()["badRequest"]["message"]
        unknown_host = http.put(
            f"{SERVICES}/disable", json={"host": "no-such-host", "binary": "nova-compute"}
        )
        assert unknown_host.status_code == 404
        assert unknown_host.json()["itemNotFound"]["message"] == (
            "Could not find binary nova-compute on host no-such-host."
        )
        # force-down arrives with 2.11; before, its field fails the schema and the action is unknown.
        assert http.put(f"{SERVICES}/force-down", json={**target, "forced_down": True}).status_code == 400
        unknown = http.put(f"{SERVICES}/force-down", json=target)
        assert (unknown.status_code, unknown.json()["itemNotFound"]["message"]) == (404, "Unknown action")
    with gateway.client("admin", version="2.11") as http:
        down = http.put(f"{SERVICES}/force-down", json={**target, "forced_down": True})
        assert down.json() == {"service": {"host": node, "binary": "nova-compute", "forced_down": True}}
        assert http.put(f"{SERVICES}/force-down", json=target).status_code == 400
        up = http.put(f"{SERVICES}/force-down", json={**target, "forced_down": False})
        assert up.json()["service"]["forced_down"] is False


def test_delete_is_refused(gateway: GatewayHandle, node: str) -> None:
    uid = kube_node(gateway, node).metadata.uid
    with gateway.client("admin", version="2.53") as http:
        assert http.delete(f"{SERVICES}/{node}").status_code == 400
        assert http.delete(f"{SERVICES}/{uuid.uuid4()}").status_code == 404
        refused = http.delete(f"{SERVICES}/{uid}")
        assert refused.status_code == 409
        assert "kubectl delete node" in refused.json()["conflictingRequest"]["message"]
    assert kube_node(gateway, node).metadata.uid == uid
    with gateway.client("admin", version="2.52") as old:
        assert old.delete(f"{SERVICES}/{uid}").status_code == 400  # not an integer


def test_admin_only(gateway: GatewayHandle, node: str) -> None:
    uid = kube_node(gateway, node).metadata.uid
    with gateway.client("demo-manager", version="2.53") as member:
        assert member.get(SERVICES).status_code == 403
        assert member.put(f"{SERVICES}/{uid}", json={"status": "disabled"}).status_code == 403
        assert member.delete(f"{SERVICES}/{uid}").status_code == 403
    assert not kube_node(gateway, node).spec.unschedulable


def test_samples(gateway: GatewayHandle, node: str) -> None:
    uid = kube_node(gateway, node).metadata.uid

    def normalised(body: dict[str, Any]) -> dict[str, Any]:
        normal: dict[str, Any] = json.loads(json.dumps(body).replace(node, "host1"))
        return normal

    with gateway.client("admin", version="2.53") as http:
        listed = {"services": [service_of(http, node)]}
        assert_sample("services", "2.53", "services-list-get-resp", normalised(listed), base_url=gateway.url)
        disabled = http.put(f"{SERVICES}/{uid}", json={"status": "disabled", "disabled_reason": "test2"})
        assert_sample(
            "services",
            "2.53",
            "service-disable-log-put-resp",
            normalised(disabled.json()),
            base_url=gateway.url,
        )
        http.put(f"{SERVICES}/{uid}", json={"status": "enabled"})
    with gateway.client("admin", version="2.1") as old:
        listed = {"services": [service_of(old, node)]}
        listed["services"][0]["id"] = 1
        assert_sample("services", "2.1", "services-list-get-resp", normalised(listed), base_url=gateway.url)
