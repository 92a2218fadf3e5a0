"""The store's watch caches: read-your-writes, stale events ignored, resync, and shared state
seen by every replica (a second gateway app in the same test honours a revocation)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from kubernetes import client

from kubenova.resources import GROUP, VERSION
from kubenova_api import errors
from kubenova_api.app import create_app
from kubenova_api.store.informer import Informer
from tests.fixtures.gateway import GatewayHandle
from tests.support.wait import wait_for


def _obj(name: str, rv: int, value: str = "", **meta: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, "resourceVersion": str(rv), **meta}, "value": value}


def _informer() -> Informer[str]:
    informer: Informer[str] = Informer("things", lambda **_: None, lambda obj: str(obj["value"]))
    informer._replace_all([])  # as if the first list had landed
    informer._synced.set()
    return informer


def test_unsynced_cache_answers_unavailable() -> None:
    informer: Informer[str] = Informer("things", lambda **_: None, str)
    with pytest.raises(errors.UnavailableError, match="things cache is not ready"):
        informer.items()


def test_writes_are_visible_at_once_and_lagging_events_do_not_undo_them() -> None:
    informer = _informer()
    informer.record_write(_obj("a", 5, "written"))
    assert informer.get("a") == "written"
    informer._upsert(_obj("a", 4, "older event"))  # the watch is behind our write
    assert informer.get("a") == "written"
    informer._upsert(_obj("a", 6, "newer"))
    assert informer.get("a") == "newer"


def test_deletes_are_not_resurrected_by_older_events() -> None:
    informer = _informer()
    informer.record_write(_obj("a", 5, "v5"))
    informer.record_delete(_obj("a", 7))
    assert informer.get("a") is None
    informer._upsert(_obj("a", 6, "lagging modify"))
    assert informer.get("a") is None
    informer._upsert(_obj("a", 9, "recreated"))
    assert informer.get("a") == "recreated"


def test_objects_with_finalizers_stay_until_gone() -> None:
    informer = _informer()
    informer.record_delete(
        _obj("a", 3, "terminating", deletionTimestamp="2026-01-01T00:00:00Z", finalizers=["x"])
    )
    assert informer.get("a") == "terminating"
    informer._remove(_obj("a", 4))
    assert informer.get("a") is None


def test_relist_replaces_everything() -> None:
    informer = _informer()
    informer.record_write(_obj("gone", 1, "x"))
    informer._replace_all([_obj("kept", 10, "y")])
    assert informer.items() == ["y"]


def test_unparsable_objects_are_skipped() -> None:
    def parse(obj: dict[str, Any]) -> str:
        if obj["value"] == "bad":
            raise ValueError("bad object")
        return str(obj["value"])

    informer: Informer[str] = Informer("things", lambda **_: None, parse)
    informer._replace_all([_obj("a", 1, "bad"), _obj("b", 2, "good")])
    informer._synced.set()
    assert informer.items() == ["good"]


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
