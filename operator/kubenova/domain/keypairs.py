"""Keypairs: which one a server gets, and Nova's fingerprints.

Choice: a Server's ``spec.keyName`` names the Keypair with that Nova name owned by the server's
user (``spec.userId``), else an ownerless (shared) one of that name.

Fingerprints: ssh: MD5 of the base64-decoded key blob as colon-separated hex (what Nova and
``ssh-keygen -E md5 -l`` print). x509: SHA-1 of the DER certificate, colon hex. A key that does
not parse raises ``InvalidKey`` with the reason written into ``status.error``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Iterable

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import Encoding

from kubenova.domain.errors import InvalidKey
from kubenova.resources.keypair import Keypair

SSH_KEY_TYPES = frozenset(
    {
        "ssh-rsa",
        "ssh-dss",
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
    }
)


def fingerprint(public_key: str, key_type: str) -> str:
    return x509_fingerprint(public_key) if key_type == "x509" else ssh_fingerprint(public_key)


def ssh_fingerprint(public_key: str) -> str:
    """MD5 colon-hex of an OpenSSH public key line (``type base64 [comment]``)."""
    fields = public_key.strip().split()
    if len(fields) < 2:
        raise InvalidKey("expected '<type> <base64 key> [comment]'")
    declared, encoded = fields[0], fields[1]
    if declared not in SSH_KEY_TYPES:
        raise InvalidKey(f"unsupported key type {declared!r}")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidKey("the key is not valid base64") from None
    if _embedded_type(blob) != declared:
        raise InvalidKey(f"the key data is not a {declared} key")
    try:
        serialization.load_ssh_public_key(f"{declared} {encoded}".encode())
    except UnsupportedAlgorithm:
        pass  # a key type cryptography cannot load (security keys): the checks above hold
    except ValueError:
        raise InvalidKey(f"the key data is not a valid {declared} key") from None
    return _colon_hex(hashlib.md5(blob, usedforsecurity=False).digest())


def x509_fingerprint(certificate: str) -> str:
    """SHA-1 colon-hex of a PEM certificate's DER encoding."""
    try:
        cert = x509.load_pem_x509_certificate(certificate.strip().encode())
    except ValueError as error:
        raise InvalidKey(f"not a PEM x509 certificate: {error}") from None
    return _colon_hex(hashlib.sha1(cert.public_bytes(Encoding.DER), usedforsecurity=False).digest())


def _embedded_type(blob: bytes) -> str | None:
    """The key type string an SSH key blob starts with (uint32 length + name)."""
    if len(blob) < 4:
        return None
    (length,) = struct.unpack(">I", blob[:4])
    if length > len(blob) - 4:
        return None
    try:
        return blob[4 : 4 + length].decode("ascii")
    except UnicodeDecodeError:
        return None


def _colon_hex(digest: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in digest)


def choose(keypairs: Iterable[Keypair], key_name: str, user_id: str | None) -> Keypair | None:
    """The user's own keypair named ``key_name``, else an ownerless one of that name."""
    named = [k for k in keypairs if k.key_name == key_name]
    owned = [k for k in named if user_id is not None and k.spec.user_id == user_id]
    shared = [k for k in named if k.spec.user_id is None]
    for group in (owned, shared):
        if group:
            return sorted(group, key=lambda k: k.metadata.name)[0]
    return None
