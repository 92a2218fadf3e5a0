"""Token revocations on the real API server: filed in ConfigMaps by the token's expiry, old
windows deleted, and the revocation Secret of older gateways still honoured."""

from __future__ import annotations

import base64
import time
from datetime import datetime

import httpx
import pytest
from kubernetes import client

from kubenova_api.store.revocations import LABEL, PREFIX, shard_name
from tests.fixtures.gateway import GatewayHandle
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster


def _issue(gateway: GatewayHandle, user: str) -> tuple[str, dict[str, object]]:
    issued = httpx.post(f"{gateway.auth_url}/auth/tokens", json=gateway.auth_body(user), timeout=30)
    assert issued.status_code == 201
    return issued.headers["X-Subject-Token"], issued.json()["token"]


def _status(gateway: GatewayHandle, token: str) -> int:
    with gateway.client("admin") as admin:
        return admin.get("/identity/v3/auth/tokens", headers={"X-Subject-Token": token}).status_code


def _expiry(body: dict[str, object]) -> float:
    text = str(body["expires_at"]).replace("Z", "+00:00")
    return datetime.fromisoformat(text).timestamp()


def test_a_revocation_is_one_key_in_the_shard_of_its_expiry_and_old_shards_go(gateway: GatewayHandle) -> None:
    core = client.CoreV1Api(gateway.api_client)
    namespace = gateway.settings.identity_namespace
    old_window = int(time.time() // 900) - 10
    stale = f"{PREFIX}{old_window}-0"
    core.create_namespaced_config_map(
        namespace,
        client.V1ConfigMap(metadata=client.V1ObjectMeta(name=stale, labels={LABEL: "true"}), data={"x": "1"}),
    )
    token, body = _issue(gateway, "alt-member")
    (audit_id,) = body["audit_ids"]  # type: ignore[misc]
    with gateway.client("alt-member") as member:
        revoked = member.delete(
            "/identity/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token}
        )
    assert revoked.status_code == 204
    shard = core.read_namespaced_config_map(shard_name(str(audit_id), _expiry(body)), namespace)
    assert audit_id in (shard.data or {})
    assert shard.metadata.labels[LABEL] == "true"
    assert _status(gateway, token) == 404
    # The window whose tokens have all expired goes at a revocation (the first one may come
    # before the gateway's watch saw the stale shard: each try revokes one more token).

    def stale_gone() -> bool:
        other, _ = _issue(gateway, "alt-member")
        with gateway.client("alt-member") as member:
            member.delete(
                "/identity/v3/auth/tokens", headers={"X-Auth-Token": other, "X-Subject-Token": other}
            )
        listed = core.list_namespaced_config_map(namespace, label_selector=LABEL).items
        return stale not in {cm.metadata.name for cm in listed}

    wait_for(stale_gone, timeout=10, message="the expired revocation window deleted")


def test_revocations_in_the_secret_of_older_gateways_still_hold(gateway: GatewayHandle) -> None:
    core = client.CoreV1Api(gateway.api_client)
    namespace = gateway.settings.identity_namespace
    token, body = _issue(gateway, "alt-member")
    (audit_id,) = body["audit_ids"]  # type: ignore[misc]
    assert _status(gateway, token) == 200
    legacy = gateway.settings.revocation_secret
    entry = {str(audit_id): base64.b64encode(str(int(time.time()) + 3600).encode()).decode()}
    try:
        core.patch_namespaced_secret(legacy, namespace, {"data": entry})
    except client.ApiException as error:
        if error.status != 404:
            raise
        core.create_namespaced_secret(
            namespace, client.V1Secret(metadata=client.V1ObjectMeta(name=legacy), data=entry)
        )
    wait_for(lambda: _status(gateway, token) == 404, timeout=10, message="the legacy revocation honoured")
