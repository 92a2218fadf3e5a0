"""The store's watch caches and its boundary to Kubernetes: 503 until synced, one error mapping,
and shared state seen by every replica (a second gateway app in the same test honours a
revocation). The cache's ordering rules (read-your-writes, stale events ignored, resync) are
``kubenova.k8s``'s: tests/unit/k8s/test_cache.py."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from kubernetes import client

from kubenova import k8s
from kubenova.resources import GROUP, VERSION
from kubenova_api import errors
from kubenova_api.app import create_app
from kubenova_api.store.kube import Informer, connect, translate
from tests.fixtures.gateway import GatewayHandle
from tests.support.wait import wait_for


def test_unsynced_cache_answers_unavailable() -> None:
    """Reads before the first list landed are 503s naming the cache."""
    informer: Informer[str] = Informer(connect(api_client=k8s.ApiClient()).transport, k8s.FLAVORS, str)
    with pytest.raises(errors.UnavailableError, match="flavors cache is not ready"):
        informer.objects()
    with pytest.raises(errors.UnavailableError, match="flavors cache is not ready"):
        informer.get("m1.tiny")


def test_kubernetes_errors_become_nova_errors_in_one_place() -> None:
    cases: list[tuple[k8s.KubeError, type[errors.GatewayError], str]] = [
        (k8s.NotFound(404, "NotFound", "x"), errors.NotFoundError, "Flavor 1 could not be found."),
        (k8s.AlreadyExists(409, "AlreadyExists", "x"), errors.AlreadyExistsError, "Flavor 1 already exists."),
        (k8s.Conflict(409, "Conflict", "x"), errors.ConflictError, "Flavor 1 was modified concurrently"),
        (k8s.Invalid(422, "Invalid", "spec.vcpus: must be >= 1"), errors.BadRequestError, "spec.vcpus"),
        (
            k8s.Unavailable(503, "ReadTimeoutError", "x"),
            errors.UnavailableError,
            "unavailable (ReadTimeoutError)",
        ),
        (k8s.Forbidden(403, "Forbidden", "x"), errors.UnavailableError, "refused the request (403)"),
    ]
    for error, expected, message in cases:
        translated = translate(error, "Flavor 1")
        assert type(translated) is expected
        assert translated.message.startswith(message) or message in translated.message


@pytest.mark.cluster
async def test_a_second_replica_honours_revocations(gateway: GatewayHandle) -> None:
    """Replicas share nothing but Kubernetes: a token revoked through one is refused by another."""
    other = create_app(gateway.settings, api_client=gateway.api_client)
    issued = httpx.post(f"{gateway.auth_url}/auth/tokens", json=gateway.auth_body("alt-member"), timeout=30)
    token = issued.headers["X-Subject-Token"]
    async with (
        other.router.lifespan_context(other),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://replica") as replica,
    ):
        assert (
            await replica.get("/compute/v2.1/flavors", headers={"X-Auth-Token": token})
        ).status_code == 200
        with gateway.client("alt-member") as first:
            revoked = first.delete(
                "/identity/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token}
            )
            assert revoked.status_code == 204
        for _ in range(100):
            response = await replica.get("/compute/v2.1/flavors", headers={"X-Auth-Token": token})
            if response.status_code == 401:
                break
            await asyncio.sleep(0.1)
        assert response.status_code == 401, "the other replica still accepts the revoked token"


@pytest.mark.cluster
def test_caches_follow_external_writes(gateway: GatewayHandle) -> None:
    """A Keypair written with kubectl (no gateway involved) is served once the watch delivers it."""
    api = client.CustomObjectsApi(gateway.api_client)
    user = gateway.user_id("demo-member")
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Keypair",
        "metadata": {"name": "kubectl-made-key"},
        "spec": {
            "name": "from-kubectl",
            "userId": user,
            "publicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x",
        },
    }
    api.create_cluster_custom_object(GROUP, VERSION, "keypairs", body)
    try:
        with gateway.client("demo-member", version="2.10") as http:
            wait_for(
                lambda: http.get("/compute/v2.1/os-keypairs/from-kubectl").status_code == 200,
                timeout=10,
                message="the keypair reaches the cache",
            )
    finally:
        api.delete_cluster_custom_object(GROUP, VERSION, "keypairs", "kubectl-made-key")
