"""Public key handling for keypairs: Nova-compatible fingerprints and server-side generation.

Fingerprints: ssh keys → MD5 of the decoded key blob as colon-separated hex (what
``ssh-keygen -E md5 -l`` prints); x509 → SHA-1 of the DER certificate. Generation (only when a
client omits ``public_key`` below 2.92) makes an RSA-2048 key whose private half is returned once
and never stored.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from kubenova_api import errors

INVALID = "Keypair data is invalid: failed to generate fingerprint"


def _colon_hex(digest: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in digest)


def ssh_fingerprint(public_key: str) -> str:
    """MD5 fingerprint of an OpenSSH public key line; 400 if it is not a valid key."""
    parts = public_key.strip().split()
    if len(parts) < 2:
        raise errors.BadRequestError(INVALID)
    try:
        serialization.load_ssh_public_key(" ".join(parts[:2]).encode())
        blob = base64.b64decode(parts[1], validate=True)
    except (ValueError, binascii.Error, UnsupportedAlgorithm):
        raise errors.BadRequestError(INVALID) from None
    return _colon_hex(hashlib.md5(blob, usedforsecurity=False).digest())


def x509_fingerprint(certificate_pem: str) -> str:
    """SHA-1 fingerprint of a PEM certificate; 400 if it is not one."""
    try:
        cert = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError:
        raise errors.BadRequestError(INVALID) from None
    return _colon_hex(cert.fingerprint(hashes.SHA1()))  # Nova defines x509 fingerprints as SHA-1


def fingerprint(public_key: str, key_type: str) -> str:
    return x509_fingerprint(public_key) if key_type == "x509" else ssh_fingerprint(public_key)


@dataclass(frozen=True)
class GeneratedKey:
    private_key: str
    public_key: str


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


def generate_ssh() -> GeneratedKey:
    key = _rsa()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return GeneratedKey(_private_pem(key), f"{public.decode()} Generated-by-Nova")


def generate_x509(user_id: str) -> GeneratedKey:
    """A self-signed certificate for ``user_id`` (Nova makes one valid for ten years)."""
    key = _rsa()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_id or "kubenova")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return GeneratedKey(_private_pem(key), cert.public_bytes(serialization.Encoding.PEM).decode())
