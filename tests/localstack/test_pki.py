"""The generated PKI is what kube-apiserver and its clients need: verified here with real TLS."""

from __future__ import annotations

import socket
import ssl
import stat
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kubenova_localstack.pki import (
    ADMIN_USER,
    CertificateAuthority,
    PKIFiles,
    issue_client_cert,
    write_cluster_pki,
)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PKIFiles:
    return write_cluster_pki(tmp_path_factory.mktemp("pki"))


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_serving_cert_is_issued_by_the_serving_ca_for_localhost(pki: PKIFiles) -> None:
    ca, serving = _cert(pki.serving_ca), _cert(pki.serving_cert)
    serving.verify_directly_issued_by(ca)
    san = serving.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    eku = serving.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_admin_cert_maps_to_a_system_masters_user(pki: PKIFiles) -> None:
    admin = _cert(pki.admin_cert)
    admin.verify_directly_issued_by(_cert(pki.client_ca))
    assert admin.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == ADMIN_USER
    groups = [a.value for a in admin.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    assert groups == ["system:masters"]
    eku = admin.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]


def test_serving_and_client_cas_are_distinct(pki: PKIFiles) -> None:
    # A serving cert must not be usable as a client identity and vice versa.
    assert _cert(pki.serving_ca).subject != _cert(pki.client_ca).subject
    assert _cert(pki.serving_ca).public_key() != _cert(pki.client_ca).public_key()


def test_service_account_key_is_rsa(pki: PKIFiles) -> None:
    key = serialization.load_pem_private_key(pki.service_account_key.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size >= 2048


def test_private_keys_are_owner_only(pki: PKIFiles) -> None:
    for path in (pki.serving_key, pki.client_ca_key, pki.admin_key, pki.service_account_key):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_more_client_certs_carry_user_and_groups(pki: PKIFiles) -> None:
    issued = issue_client_cert(pki, "alice", ["team-a", "system:authenticated"])
    cert = x509.load_pem_x509_certificate(issued.cert_pem)
    cert.verify_directly_issued_by(_cert(pki.client_ca))
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "alice"
    groups = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    assert groups == ["team-a", "system:authenticated"]


def test_ca_round_trips_through_pem() -> None:
    ca = CertificateAuthority.create("roundtrip")
    pem = ca.as_pem()
    loaded = CertificateAuthority.load(pem.cert_pem, pem.key_pem)
    issued = loaded.issue_client("bob")
    x509.load_pem_x509_certificate(issued.cert_pem).verify_directly_issued_by(ca.cert)


def _handshake(pki: PKIFiles, client_cert: Path, client_key: Path) -> dict[str, object]:
    """One TLS connection to a server configured like kube-apiserver; returns what the server saw."""
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(pki.serving_cert, pki.serving_key)
    server_ctx.load_verify_locations(pki.client_ca)
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    client_ctx = ssl.create_default_context(cafile=str(pki.serving_ca))
    client_ctx.load_cert_chain(client_cert, client_key)

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    seen: dict[str, object] = {}

    def serve() -> None:
        conn, _ = listener.accept()
        try:
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                seen["peer"] = tls.getpeercert()
                tls.sendall(b"ok")
        except (ssl.SSLError, OSError) as exc:
            seen["error"] = exc

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            client_ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            seen["received"] = tls.recv(2)
    except (ssl.SSLError, OSError) as exc:
        seen["client_error"] = exc
    finally:
        thread.join(timeout=10)
        listener.close()
    return seen


def test_mutual_tls_handshake_with_the_generated_files(pki: PKIFiles) -> None:
    """The files work for real TLS: server verifies the client cert, client verifies 127.0.0.1."""
    seen = _handshake(pki, pki.admin_cert, pki.admin_key)
    assert seen.get("received") == b"ok", seen
    peer = seen["peer"]
    assert isinstance(peer, dict)
    assert (("commonName", ADMIN_USER),) in peer["subject"]


def test_a_client_cert_from_another_ca_is_rejected(pki: PKIFiles, tmp_path: Path) -> None:
    # Same CA name as the real one, different key: only the signature tells them apart.
    stranger = CertificateAuthority.create("kubenova-client-ca").issue_client("mallory", ["system:masters"])
    stranger.write(tmp_path / "mallory.crt", tmp_path / "mallory.key")
    seen = _handshake(pki, tmp_path / "mallory.crt", tmp_path / "mallory.key")
    assert "peer" not in seen
    assert isinstance(seen.get("error"), ssl.SSLError), seen
