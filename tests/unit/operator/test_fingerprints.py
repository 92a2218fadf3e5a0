"""Keypair fingerprints match what ssh-keygen/openssl print for the same keys (vectors below
were produced with ``ssh-keygen -E md5 -lf`` and ``openssl x509 -fingerprint -sha1``)."""

from __future__ import annotations

import pytest

from kubenova.domain import errors
from kubenova.domain import keypairs as fingerprints

ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKqqD0+IMgXXsK01IKiH1HqMGx+2ezMKAnGvnakhBjnT test@kubenova"
ED25519_MD5 = "c1:f3:2a:b1:d1:7d:2c:13:86:a2:c9:c8:bf:66:aa:99"
RSA = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDvnOavjfObBuH9tTkZ60cUVzJeK50J/8h001CvTDz9LJv50GbpMPCGlWA5fyAvEDAk"
    "0lxGji4jrITTPkIkj8QUJvdXigJrl057IG3H7oHScrlwAabK0YJpQcdDvkk6pMzx+MorSnUJghlnEzNuhi3/s4n5q7+Tpw4Ojn4l1MXprQ=="
    " rsa@kubenova"
)
RSA_MD5 = "a8:cd:e2:ae:a3:a8:cb:8d:73:0e:93:93:d1:ec:7d:a9"
CERT = """-----BEGIN CERTIFICATE-----
MIIBhTCCASugAwIBAgIURyhbPlg6aarrulFoNX4w3NDq07gwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNa3ViZW5vdmEtdGVzdDAeFw0yNjExMjIwMDE4NDVaFw0zNjEx
MTkwMDE4NDVaMBgxFjAUBgNVBAMMDWt1YmVub3ZhLXRlc3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAATotWNW5RWP4tPVqOWLIwaBuU/zFVs6WRVjHclpkCsD/8CC
hN5SId3wpW8fCHWuxDE5pGDhNcjBObD9hjLPyZTvo1MwUTAdBgNVHQ4EFgQUh6hG
IaTVUIQSdOuTJStE5r93SlMwHwYDVR0jBBgwFoAUh6hGIaTVUIQSdOuTJStE5r93
SlMwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiBwtQVLek2rqwL0
fQ7llQzbAu7aBGU9uDy21NW4FRoRgQIhALjz1mHhKAiVzSEKQgaTzva8BheXoYWP
flO61Lkf08wm
-----END CERTIFICATE-----
"""
CERT_SHA1 = "42:99:9a:42:a5:60:f9:26:6f:7e:aa:51:5e:88:31:8f:e5:4f:87:61"


@pytest.mark.parametrize(("key", "expected"), [(ED25519, ED25519_MD5), (RSA, RSA_MD5)])
def test_ssh_fingerprint_is_md5_of_the_key_blob(key: str, expected: str) -> None:
    assert fingerprints.fingerprint(key, "ssh") == expected


def test_ssh_fingerprint_ignores_the_comment_and_surrounding_whitespace() -> None:
    bare = " ".join(ED25519.split()[:2])
    assert fingerprints.ssh_fingerprint(f"  {bare}\n") == ED25519_MD5


def test_x509_fingerprint_is_sha1_of_the_der_certificate() -> None:
    assert fingerprints.fingerprint(CERT, "x509") == CERT_SHA1


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("ssh-ed25519", "expected"),
        ("ssh-foo AAAA", "unsupported key type"),
        ("ssh-ed25519 not*base64", "not valid base64"),
        # an RSA blob declared as ed25519
        ("ssh-ed25519 " + RSA.split()[1], "not a ssh-ed25519 key"),
        ("ssh-rsa AAAA", "not a ssh-rsa key"),
    ],
)
def test_invalid_ssh_keys_are_rejected_with_a_reason(key: str, reason: str) -> None:
    with pytest.raises(errors.InvalidKey, match=reason):
        fingerprints.ssh_fingerprint(key)


def test_invalid_certificate_is_rejected() -> None:
    with pytest.raises(errors.InvalidKey, match="not a PEM x509 certificate"):
        fingerprints.x509_fingerprint("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
