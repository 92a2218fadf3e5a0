"""Identity that behaves like Keystone where it matters for security: roles are resolved when a
token is validated (a removed role stops working at once), an unknown user costs a bcrypt check
as a wrong password does, failed logins lock a user name out, and links ignore X-Forwarded-*
headers unless the gateway is told to trust them."""

from __future__ import annotations

import asyncio
import base64
import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, cast

import httpx
import pytest
import uvicorn
from kubernetes import client

from kubenova_api import errors
from kubenova_api.app import create_app
from kubenova_api.identity import passwords, service
from kubenova_api.identity.directory import SECRET_KEY, DirectoryConfig, RoleAssignment, User
from kubenova_api.identity.lockout import FailedLogins, Failures, MemoryFailures
from kubenova_api.identity.revocations import RevocationList
from kubenova_api.identity.service import IdentityService
from kubenova_api.store import login_failures
from kubenova_api.store.revocations import RevocationStore
from kubenova_api.store.secrets import SecretStore
from kubenova_api.urls import base_url_from_headers
from tests.fixtures.gateway import GatewayHandle, _free_port
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

FORWARDED = {"x-forwarded-proto": "https", "x-forwarded-host": "evil.example", "host": "cloud:8774"}


def test_forwarded_headers_are_ignored_unless_trusted() -> None:
    untrusted = base_url_from_headers(FORWARDED, scheme="http", server="10.0.0.1:8774", public_url=None)
    assert untrusted == "http://cloud:8774"
    trusted = base_url_from_headers(
        FORWARDED, scheme="http", server="10.0.0.1:8774", public_url=None, trust_proxy_headers=True
    )
    assert trusted == "https://evil.example"
    pinned = base_url_from_headers(FORWARDED, scheme="http", server="x", public_url="https://cloud.example/")
    assert pinned == "https://cloud.example"


def test_lockout_after_consecutive_failures_and_release_after_the_duration() -> None:
    now = [100.0]
    store = MemoryFailures()
    logins = FailedLogins(3, 30.0, store, clock=lambda: now[0])

    async def scenario() -> None:
        for _ in range(2):
            await logins.failed("u")
        locked, record = await logins.check("u")
        assert not locked
        await logins.succeeded("u", record)  # a success starts the count afresh
        assert "u" not in store.records
        for _ in range(3):
            await logins.failed("u")
        assert await logins.locked("u")
        assert not await logins.locked("other")
        now[0] += 31
        assert not await logins.locked("u")
        assert (await logins.failed("u")) == Failures(1, now[0])  # the ran-out lockout starts afresh
        await logins.failed("v")
        now[0] += 31
        await logins.failed("u")
        assert set(store.records) == {"u"}  # v's count, 31 s old, is forgotten
        off = FailedLogins(0, 30.0, store)
        for _ in range(10):
            await off.failed("w")
        assert not await off.locked("w")
        assert "w" not in store.records

    asyncio.run(scenario())


def test_the_records_in_a_configmap() -> None:
    key = "name:mallory"
    assert login_failures.record_key(key) not in key
    assert login_failures.shard_name(key) == login_failures.shard_name(key)
    assert login_failures.parse(login_failures.render(Failures(4, 12.5))) == Failures(4, 12.5)
    assert login_failures.parse("garbage") is None
    assert len({login_failures.shard_name(f"u{i}") for i in range(200)}) == login_failures.SHARDS


# ----- the service, on a directory held in memory ------------------------------------------------


@dataclass
class _Secret:
    body: str
    resource_version: str = "1"

    def text(self, key: str) -> str | None:
        return self.body if key == SECRET_KEY else None


class _Secrets:
    """The two calls IdentityService makes of the Secret store for the directory."""

    def __init__(self, config: DirectoryConfig) -> None:
        self.secret = _Secret(config.to_yaml())

    def watch(self, name: str) -> None:
        return None

    def cached(self, name: str) -> _Secret | None:
        return self.secret if name == "identity" else None


class _NoRevocations:
    def revoked(self, audit_ids: tuple[str, ...]) -> bool:
        return False


def _service(user: User, **kwargs: Any) -> IdentityService:
    config = DirectoryConfig(users=[user])
    secrets = cast(SecretStore, _Secrets(config))
    return IdentityService(
        secrets,
        identity_secret="identity",
        token_key_secret="keys",
        revocations=RevocationList(cast(RevocationStore, _NoRevocations()), secrets, "revocations"),
        token_ttl_seconds=3600,
        **kwargs,
    )


def test_an_unknown_user_costs_a_bcrypt_check_at_the_directory_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    user = User(id="u1", name="alice", password_hash=passwords.hash_password("right", rounds=5))
    identity = _service(user)
    checked: list[str] = []
    real = passwords.verify_password

    def spy(password: str, password_hash: str | None) -> bool:
        checked.append(password_hash or "")
        return real(password, password_hash)

    monkeypatch.setattr(service.passwords, "verify_password", spy)
    with pytest.raises(errors.UnauthorizedError):
        asyncio.run(identity.check_password(None, "guess", name="mallory"))
    with pytest.raises(errors.UnauthorizedError):
        asyncio.run(identity.check_password(user, "guess", name="alice"))
    asyncio.run(identity.check_password(user, "right", name="alice"))
    decoy, wrong, right = checked
    assert decoy.startswith("$2b$05$")  # the directory's cost
    assert decoy != user.password_hash
    assert wrong == right == user.password_hash


def test_a_locked_name_is_refused_without_checking_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    user = User(id="u1", name="alice", password_hash=passwords.hash_password("right", rounds=4))
    identity = _service(user, lockout_failure_attempts=2, lockout_duration_seconds=60)
    for _ in range(2):
        with pytest.raises(errors.UnauthorizedError):
            asyncio.run(identity.check_password(user, "guess", name="alice"))
    monkeypatch.setattr(service.passwords, "verify_password", lambda *_: pytest.fail("checked"))
    with pytest.raises(errors.UnauthorizedError, match="The account is locked for user: u1"):
        asyncio.run(identity.check_password(user, "right", name="alice"))


# ----- over HTTP --------------------------------------------------------------------------------


@dataclass
class Probe:
    name: str
    password: str
    project: str


@pytest.fixture
def probe_user(gateway: GatewayHandle) -> Iterator[Probe]:
    """A user of its own (member of project ``alt``), added to the directory for one test and
    removed after it, so locking it out or taking its role away touches no other test."""
    core = client.CoreV1Api(gateway.api_client)
    namespace, name = gateway.settings.identity_namespace, gateway.settings.identity_secret
    probe = Probe(f"identity-probe-{secrets.token_hex(3)}", "probe-password", "alt")

    def edit(change: Any) -> None:
        secret = core.read_namespaced_secret(name, namespace)
        config = DirectoryConfig.from_yaml(base64.b64decode(secret.data[SECRET_KEY]).decode())
        change(config)
        encoded = base64.b64encode(config.to_yaml().encode()).decode()
        body = {
            "metadata": {"resourceVersion": secret.metadata.resource_version},
            "data": {SECRET_KEY: encoded},
        }
        core.patch_namespaced_secret(name, namespace, body)

    def add(config: DirectoryConfig) -> None:
        project = next(p for p in config.projects if p.name == probe.project)
        hashed = passwords.hash_password(probe.password, rounds=4)
        config.users.append(User(id=f"{probe.name}-id", name=probe.name, password_hash=hashed))
        config.role_assignments.append(RoleAssignment(user=probe.name, project=project.name, role="member"))

    def remove(config: DirectoryConfig) -> None:
        config.users = [u for u in config.users if u.name != probe.name]
        config.role_assignments = [a for a in config.role_assignments if a.user != probe.name]

    edit(add)
    wait_for(
        lambda: _login(gateway, probe.name, probe.password) == 201, timeout=15, message="probe user known"
    )
    try:
        yield probe
    finally:
        edit(remove)


def _password_body(name: str, password: str, project: str | None = None) -> dict[str, object]:
    auth: dict[str, object] = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": name, "domain": {"name": "Default"}, "password": password}},
        }
    }
    if project is not None:
        auth["scope"] = {"project": {"name": project, "domain": {"name": "Default"}}}
    return {"auth": auth}


def _login(gateway: GatewayHandle, name: str, password: str) -> int:
    return _login_at(gateway.url, name, password).status_code


def _login_at(url: str, name: str, password: str) -> httpx.Response:
    return httpx.post(f"{url}/identity/v3/auth/tokens", json=_password_body(name, password), timeout=30)


@pytest.fixture
def second_gateway(gateway: GatewayHandle, cluster: Cluster) -> Iterator[str]:
    """Another replica of the gateway: same settings and cluster, its own process state."""
    api_client = cluster.api_client()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(gateway.settings, api_client=api_client), host="127.0.0.1", port=port)
    )
    thread = threading.Thread(target=server.run, name="gateway-b", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: server.started, timeout=60, message="second gateway started")
    wait_for(
        lambda: _login_at(url, "alt-member", gateway.passwords["alt-member"]).status_code == 201,
        timeout=60,
        message="second gateway serving",
    )
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        api_client.close()  # type: ignore[no-untyped-call]


@pytest.mark.cluster
def test_failed_logins_lock_the_user_name_out(gateway: GatewayHandle, probe_user: Probe) -> None:
    for _ in range(gateway.settings.lockout_failure_attempts):
        assert _login(gateway, probe_user.name, "guess") == 401
    with gateway.client() as http:
        locked = http.post(
            "/identity/v3/auth/tokens", json=_password_body(probe_user.name, probe_user.password)
        )
    assert locked.status_code == 401
    assert "The account is locked for user" in locked.json()["error"]["message"]
    assert _login(gateway, "alt-member", gateway.passwords["alt-member"]) == 201  # others are not affected


@pytest.mark.cluster
def test_failures_spread_over_two_replicas_lock_the_user_out(
    gateway: GatewayHandle, second_gateway: str, probe_user: Probe
) -> None:
    """Keystone counts failures in its database; kubenova in the cluster: attempts alternating
    between two replicas (neither sees the configured count alone) lock the name out on both."""
    attempts = gateway.settings.lockout_failure_attempts
    assert attempts >= 3
    replicas = [gateway.url, second_gateway]
    for attempt in range(attempts):
        response = _login_at(replicas[attempt % 2], probe_user.name, "guess")
        assert response.status_code == 401, response.text
        assert "locked" not in response.json()["error"]["message"]
    # What the cluster holds: one record of the user's id, with the count of both replicas.
    core = client.CoreV1Api(gateway.api_client)
    key = f"{probe_user.name}-id"
    shard = core.read_namespaced_config_map(
        login_failures.shard_name(key), gateway.settings.identity_namespace
    )
    record = login_failures.parse(shard.data[login_failures.record_key(key)])
    assert record is not None
    assert record.count == attempts
    assert probe_user.name not in str(shard.data)
    for url in replicas:  # the right password too: refused before it is checked
        locked = _login_at(url, probe_user.name, probe_user.password)
        assert locked.status_code == 401
        assert locked.json()["error"]["message"] == f"The account is locked for user: {key}."
    assert _login_at(second_gateway, "alt-member", gateway.passwords["alt-member"]).status_code == 201


@pytest.mark.cluster
def test_concurrent_failures_on_two_replicas_are_all_counted(
    gateway: GatewayHandle, second_gateway: str, probe_user: Probe
) -> None:
    """Conditional writes: failures counted at the same moment by two replicas are none of them
    lost; every failure that was checked (not refused as locked) is in the count."""
    replicas = [gateway.url, second_gateway]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda i: _login_at(replicas[i % 2], probe_user.name, "guess"), range(8)))
    assert all(answer.status_code == 401 for answer in answers)
    checked = sum("locked" not in answer.json()["error"]["message"] for answer in answers)
    key = f"{probe_user.name}-id"
    shard = client.CoreV1Api(gateway.api_client).read_namespaced_config_map(
        login_failures.shard_name(key), gateway.settings.identity_namespace
    )
    record = login_failures.parse(shard.data[login_failures.record_key(key)])
    assert record is not None
    assert record.count == checked
    assert checked >= gateway.settings.lockout_failure_attempts
    assert _login_at(second_gateway, probe_user.name, probe_user.password).status_code == 401


@pytest.mark.cluster
def test_a_removed_role_stops_working_at_once(gateway: GatewayHandle, probe_user: Probe) -> None:
    with gateway.client() as http:
        issued = http.post(
            "/identity/v3/auth/tokens",
            json=_password_body(probe_user.name, probe_user.password, probe_user.project),
        )
    assert issued.status_code == 201
    headers = {"X-Auth-Token": issued.headers["X-Subject-Token"]}
    with gateway.client() as http:
        assert http.get("/compute/v2.1/servers", headers=headers).status_code == 200
    core = client.CoreV1Api(gateway.api_client)
    namespace, name = gateway.settings.identity_namespace, gateway.settings.identity_secret
    secret = core.read_namespaced_secret(name, namespace)
    config = DirectoryConfig.from_yaml(base64.b64decode(secret.data[SECRET_KEY]).decode())
    config.role_assignments = [a for a in config.role_assignments if a.user != probe_user.name]
    encoded = base64.b64encode(config.to_yaml().encode()).decode()
    core.patch_namespaced_secret(name, namespace, {"data": {SECRET_KEY: encoded}})

    def refused() -> bool:
        with gateway.client() as http:
            return http.get("/compute/v2.1/servers", headers=headers).status_code == 401

    wait_for(refused, timeout=15, message="a token whose role was removed refused")
