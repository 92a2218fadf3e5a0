"""Public key handling for keypairs: Nova-compatible fingerprints and server-side generation.

Fingerprints are ``kubenova.domain.keypairs``' (the operator stores the same value). Generation (only when a
client omits ``public_key`` below 2.92) makes an RSA-2048 key whose private half is returned once
and never stored.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from kubenova.domain import keypairs
from kubenova.domain.errors import InvalidKey
from kubenova_api import errors


def fingerprint(public_key: str, key_type: str) -> str:
    """Nova's fingerprint of a public key (``kubenova.domain.keypairs``); 400 if it is not valid."""
    try:
        return keypairs.fingerprint(public_key, key_type)
    except InvalidKey as error:
        raise errors.from_domain(error) from None


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
