"""Keypairs: import and generation, Nova fingerprints, per-user ownership, microversion gates."""

from __future__ import annotations

import datetime
import hashlib
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.x509.oid import NameOID
from kubernetes import client

from kubenova.resources import GROUP, VERSION
from kubenova_api import errors, keys
from tests.api.samples import assert_sample
from tests.fixtures.gateway import GatewayHandle

KEYPAIRS = "/compute/v2.1/os-keypairs"
# A fixed key whose MD5 fingerprint was checked with `ssh-keygen -l -E md5`.
FIXED_KEY = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/6lHBQdW5aYd44bd8JttDCE/F/pNRr0lRE+P"
    "iqSPO8nDPHw0010JeMH9gYgnnFlyY3/OcJ02RhIPyyxYpv9FhY+2YiUkpwFOcLImyrxEsYXpD/0d3ac30bNH6Sw9JD9UZHYcpSxsIb"
    "ECHw== Generated-by-Nova"
)
FIXED_FINGERPRINT = "1e:2c:9b:56:79:4b:45:77:f9:ca:7a:98:2c:b0:d5:3c"


def _ed25519_public() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return (
        key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
        + " test"
    )


def _certificate() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _name(prefix: str = "k") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# -- pure: fingerprints -----------------------------------------------------------------------


def test_fixed_vector() -> None:
    assert keys.fingerprint(FIXED_KEY, "ssh") == FIXED_FINGERPRINT


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
def test_fingerprints_agree_with_ssh_keygen(tmp_path: Path) -> None:
    for public in (_ed25519_public(), keys.generate_ssh().public_key):
        path = tmp_path / "key.pub"
        path.write_text(public + "\n")
        out = subprocess.run(
            ["ssh-keygen", "-l", "-E", "md5", "-f", str(path)], check=True, capture_output=True, text=True
        )
        assert f"MD5:{keys.fingerprint(public, 'ssh')} " in out.stdout


def test_x509_fingerprint_is_sha1_of_der() -> None:
    pem = _certificate()
    der = x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
    expected = ":".join(f"{b:02x}" for b in hashlib.sha1(der, usedforsecurity=False).digest())
    assert keys.fingerprint(pem, "x509") == expected


@pytest.mark.parametrize(
    "bad", ["", "ssh-rsa", "ssh-rsa not-base64!!", "ssh-rsa QUJD", "ssh-foo AAAAB3NzaC1yc2E="]
)
def test_invalid_ssh_keys(bad: str) -> None:
    with pytest.raises(errors.BadRequestError, match="Keypair data is invalid"):
        keys.fingerprint(bad, "ssh")


# -- over HTTP ----------------------------------------------------------------------------------


@pytest.fixture
def member(gateway: GatewayHandle) -> Iterator[httpx.Client]:
    with gateway.client("demo-member", version="2.10") as http:
        yield http


def _create(http: httpx.Client, name: str, public_key: str | None = None, **extra: Any) -> httpx.Response:
    body: dict[str, Any] = {"name": name, **extra}
    if public_key is not None:
        body["public_key"] = public_key
    return http.post(KEYPAIRS, json={"keypair": body})


@pytest.mark.cluster
def test_import(gateway: GatewayHandle, member: httpx.Client) -> None:
    name = _name()
    response = _create(member, name, FIXED_KEY)
    assert response.status_code == 201, response.text
    assert response.json() == {
        "keypair": {
            "name": name,
            "public_key": FIXED_KEY,
            "fingerprint": FIXED_FINGERPRINT,
            "user_id": gateway.user_id("demo-member"),
            "type": "ssh",
        }
    }
    shown = member.get(f"{KEYPAIRS}/{name}").json()["keypair"]
    assert shown["fingerprint"] == FIXED_FINGERPRINT
    assert isinstance(shown["id"], int)
    assert (shown["deleted"], shown["deleted_at"], shown["updated_at"]) == (False, None, None)
    assert "private_key" not in shown
    assert member.delete(f"{KEYPAIRS}/{name}").status_code == 204
    assert member.get(f"{KEYPAIRS}/{name}").status_code == 404


@pytest.mark.cluster
def test_stored_object_is_owned_and_deterministically_named(
    gateway: GatewayHandle, member: httpx.Client
) -> None:
    name = _name("Odd Name_")
    assert _create(member, name, _ed25519_public()).status_code == 201
    objects: dict[str, Any] = client.CustomObjectsApi(gateway.api_client).list_cluster_custom_object(  # type: ignore[assignment]
        GROUP, VERSION, "keypairs"
    )
    (obj,) = [o for o in objects["items"] if o["spec"].get("name") == name]
    assert obj["spec"]["userId"] == gateway.user_id("demo-member")
    assert obj["metadata"]["name"].startswith("kp-odd-name-")
    member.delete(f"{KEYPAIRS}/{name}")


@pytest.mark.cluster
def test_server_side_generation_below_2_92(gateway: GatewayHandle, member: httpx.Client) -> None:
    name = _name()
    response = _create(member, name)
    assert response.status_code == 201
    created = response.json()["keypair"]
    assert created["private_key"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert created["public_key"].startswith("ssh-rsa ")
    assert created["public_key"].endswith(" Generated-by-Nova")
    assert created["fingerprint"] == keys.fingerprint(created["public_key"], "ssh")
    private = serialization.load_pem_private_key(created["private_key"].encode(), password=None)
    derived = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    assert created["public_key"].startswith(derived.decode())
    assert "private_key" not in member.get(f"{KEYPAIRS}/{name}").json()["keypair"]
    member.delete(f"{KEYPAIRS}/{name}")
    with gateway.client("demo-member", version="2.92") as new:
        refused = _create(new, _name())
        assert refused.status_code == 400
        assert "'public_key' is a required property" in refused.json()["badRequest"]["message"]


@pytest.mark.cluster
def test_x509(member: httpx.Client) -> None:
    name, pem = _name(), _certificate()
    created = _create(member, name, pem, type="x509").json()["keypair"]
    assert created["type"] == "x509"
    assert created["fingerprint"] == keys.fingerprint(pem, "x509")
    member.delete(f"{KEYPAIRS}/{name}")
    generated = _create(member, name, type="x509").json()["keypair"]
    assert generated["public_key"].startswith("-----BEGIN CERTIFICATE-----")
    assert "PRIVATE KEY-----" in generated["private_key"]
    member.delete(f"{KEYPAIRS}/{name}")


@pytest.mark.cluster
def test_errors(gateway: GatewayHandle, member: httpx.Client) -> None:
    name = _name()
    assert _create(member, name, FIXED_KEY).status_code == 201
    duplicate = _create(member, name, _ed25519_public())
    assert duplicate.status_code == 409
    assert duplicate.json() == {
        "conflictingRequest": {"code": 409, "message": f"Key pair '{name}' already exists."}
    }
    invalid = _create(member, _name(), "ssh-rsa AAAA-not-a-key")
    assert invalid.status_code == 400
    assert (
        invalid.json()["badRequest"]["message"] == "Keypair data is invalid: failed to generate fingerprint"
    )
    assert _create(member, "bad/name", FIXED_KEY).status_code == 400
    assert _create(member, "   ", FIXED_KEY).status_code == 400
    assert _create(member, "x" * 256, FIXED_KEY).status_code == 400
    assert _create(member, _name(), FIXED_KEY, type="pgp").status_code == 400
    # '@' and '.' are allowed from 2.92 only
    assert _create(member, f"{name}@host.x", FIXED_KEY).status_code == 400
    with gateway.client("demo-member", version="2.92") as new:
        assert _create(new, f"{name}@host.x", FIXED_KEY).status_code == 201
        assert new.delete(f"{KEYPAIRS}/{name}@host.x").status_code == 204
    member.delete(f"{KEYPAIRS}/{name}")


@pytest.mark.cluster
def test_status_codes_and_type_before_2_2(gateway: GatewayHandle) -> None:
    name = _name()
    with gateway.client("demo-member", version="2.1") as old:
        created = _create(old, name, FIXED_KEY)
        assert created.status_code == 200
        assert "type" not in created.json()["keypair"]
        assert _create(old, _name(), FIXED_KEY, type="ssh").status_code == 400
        assert "type" not in old.get(KEYPAIRS).json()["keypairs"][0]["keypair"]
        assert old.delete(f"{KEYPAIRS}/{name}").status_code == 202


@pytest.mark.cluster
def test_keypairs_belong_to_users(gateway: GatewayHandle, member: httpx.Client) -> None:
    name = _name()
    assert _create(member, name, FIXED_KEY).status_code == 201
    member_id = gateway.user_id("demo-member")
    with (
        gateway.client("alt-member", version="2.10") as other,
        gateway.client("admin", version="2.10") as admin,
    ):
        assert name not in [k["keypair"]["name"] for k in other.get(KEYPAIRS).json()["keypairs"]]
        assert other.get(f"{KEYPAIRS}/{name}").status_code == 404
        assert other.get(KEYPAIRS, params={"user_id": member_id}).status_code == 403
        assert _create(other, _name(), FIXED_KEY, user_id=member_id).status_code == 403
        # the same name is free for another user
        assert _create(other, name, FIXED_KEY).status_code == 201
        assert other.delete(f"{KEYPAIRS}/{name}").status_code == 204
        # admins act for any user from 2.10
        listed = admin.get(KEYPAIRS, params={"user_id": member_id}).json()["keypairs"]
        assert name in [k["keypair"]["name"] for k in listed]
        assert (
            admin.get(f"{KEYPAIRS}/{name}", params={"user_id": member_id}).json()["keypair"]["user_id"]
            == member_id
        )
        for_member = _create(admin, _name(), FIXED_KEY, user_id=member_id).json()["keypair"]
        assert for_member["user_id"] == member_id
        assert (
            admin.delete(f"{KEYPAIRS}/{for_member['name']}", params={"user_id": member_id}).status_code == 204
        )
        assert admin.delete(f"{KEYPAIRS}/{name}", params={"user_id": member_id}).status_code == 204


@pytest.mark.cluster
def test_pagination_from_2_35(gateway: GatewayHandle) -> None:
    names = sorted(_name("page") for _ in range(3))
    with gateway.client("demo-manager", version="2.35") as http:
        for name in names:
            assert _create(http, name, FIXED_KEY).status_code == 201
        try:
            first = http.get(KEYPAIRS, params={"limit": "2"}).json()
            assert [k["keypair"]["name"] for k in first["keypairs"]] == names[:2]
            (link,) = first["keypairs_links"]
            assert link["href"] == f"{gateway.url}/compute/v2.1/os-keypairs?limit=2&marker={names[1]}"
            second = http.get(link["href"]).json()
            assert [k["keypair"]["name"] for k in second["keypairs"]] == names[2:]
            assert "keypairs_links" not in second
            assert http.get(KEYPAIRS, params={"marker": "nope"}).status_code == 400
            with gateway.client("demo-manager", version="2.34") as old:
                unpaged = old.get(KEYPAIRS, params={"limit": "1"}).json()
                assert len(unpaged["keypairs"]) == 3
                assert "keypairs_links" not in unpaged
        finally:
            for name in names:
                http.delete(f"{KEYPAIRS}/{name}")


@pytest.mark.cluster
@pytest.mark.parametrize("version", ["2.1", "2.2", "2.10", "2.92"])
def test_golden_samples(gateway: GatewayHandle, version: str) -> None:
    name = "sample-keypair"
    with gateway.client("demo-reader", version=version) as http:
        http.delete(f"{KEYPAIRS}/{name}")
        created = _create(http, name, FIXED_KEY).json()
        shown = http.get(f"{KEYPAIRS}/{name}").json()
        listed = http.get(KEYPAIRS).json()
        http.delete(f"{KEYPAIRS}/{name}")
    shown["keypair"]["id"] = "<int>"
    assert_sample("keypairs", version, "keypairs-import-post-resp", created, base_url=gateway.url)
    assert_sample("keypairs", version, "keypairs-get-resp", shown, base_url=gateway.url)
    assert_sample("keypairs", version, "keypairs-list-resp", listed, base_url=gateway.url)
