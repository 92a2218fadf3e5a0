"""Throw-away certificates for a local control plane.

kube-apiserver needs a serving certificate its clients can verify, a CA to authenticate client
certificates against (a client cert's CN is the user, its O entries the groups) and a key to sign
ServiceAccount tokens with. Everything is generated fresh per control plane: nothing here is meant to
protect anything beyond "only this machine's test run talks to this apiserver".

Certificates use ECDSA P-256 (generation is instant even on 2 busy cores); the ServiceAccount key is
RSA because that is what ``--service-account-signing-key-file`` is conventionally given.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ADMIN_USER = "kubenova-admin"
ADMIN_GROUPS = ("system:masters",)

# Long enough for a developer's `make run` left on over a holiday, short enough to be obviously
# throw-away.
VALIDITY = datetime.timedelta(days=30)
# Clock skew between "now" here and the apiserver's view of it must never make a fresh cert invalid.
BACKDATE = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class CertAndKey:
    """A PEM certificate and its PEM (unencrypted PKCS#8) private key."""

    cert_pem: bytes
    key_pem: bytes

    def write(self, cert_path: Path, key_path: Path) -> None:
        """Write both files; the key is readable by the owner only."""
        cert_path.write_bytes(self.cert_pem)
        key_path.touch(mode=0o600, exist_ok=True)
        key_path.chmod(0o600)
        key_path.write_bytes(self.key_pem)


def _new_ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class CertificateAuthority:
    """A self-signed CA that can issue serving and client certificates."""

    def __init__(self, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
        self.cert = cert
        self.key = key

    @classmethod
    def create(cls, common_name: str) -> CertificateAuthority:
        key = _new_ec_key()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE)
            .not_valid_after(now + VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        return cls(cert, key)

    @classmethod
    def load(cls, cert_pem: bytes, key_pem: bytes) -> CertificateAuthority:
        """Load a CA written earlier (see :meth:`as_pem`), e.g. to issue more client certs."""
        cert = x509.load_pem_x509_certificate(cert_pem)
        key = serialization.load_pem_private_key(key_pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise TypeError("kubenova CAs use EC keys")
        return cls(cert, key)

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def as_pem(self) -> CertAndKey:
        return CertAndKey(self.cert_pem, _key_pem(self.key))

    def _issue(
        self,
        subject: x509.Name,
        usage: x509.ObjectIdentifier,
        san: x509.SubjectAlternativeName | None,
    ) -> CertAndKey:
        key = _new_ec_key()
        now = _now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE)
            .not_valid_after(now + VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
        )
        if san is not None:
            builder = builder.add_extension(san, critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        return CertAndKey(cert.public_bytes(serialization.Encoding.PEM), _key_pem(key))

    def issue_serving(self, dns_names: Sequence[str], ip_addresses: Sequence[str]) -> CertAndKey:
        """A TLS server certificate valid for the given names and IPs."""
        san = x509.SubjectAlternativeName(
            [x509.DNSName(n) for n in dns_names]
            + [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
        )
        common_name = dns_names[0] if dns_names else ip_addresses[0]
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        return self._issue(subject, ExtendedKeyUsageOID.SERVER_AUTH, san)

    def issue_client(self, user: str, groups: Sequence[str] = ()) -> CertAndKey:
        """A client certificate kube-apiserver maps to ``user`` in ``groups`` (CN and O entries)."""
        attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, g) for g in groups]
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, user))
        return self._issue(x509.Name(attributes), ExtendedKeyUsageOID.CLIENT_AUTH, None)


def new_service_account_key() -> bytes:
    """An RSA private key (PEM) for both apiserver ServiceAccount key flags."""
    return _key_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@dataclass(frozen=True)
class PKIFiles:
    """Where :func:`write_cluster_pki` put everything; names match the apiserver flags they feed."""

    directory: Path

    @property
    def serving_ca(self) -> Path:
        return self.directory / "serving-ca.crt"

    @property
    def serving_cert(self) -> Path:
        return self.directory / "apiserver.crt"

    @property
    def serving_key(self) -> Path:
        return self.directory / "apiserver.key"

    @property
    def client_ca(self) -> Path:
        return self.directory / "client-ca.crt"

    @property
    def client_ca_key(self) -> Path:
        return self.directory / "client-ca.key"

    @property
    def admin_cert(self) -> Path:
        return self.directory / "admin.crt"

    @property
    def admin_key(self) -> Path:
        return self.directory / "admin.key"

    @property
    def service_account_key(self) -> Path:
        return self.directory / "sa.key"

    def client_authority(self) -> CertificateAuthority:
        """The client CA, to issue certificates for more users."""
        return CertificateAuthority.load(self.client_ca.read_bytes(), self.client_ca_key.read_bytes())


SERVING_DNS_NAMES = ("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc")
SERVING_IPS = ("127.0.0.1",)


def write_cluster_pki(directory: Path) -> PKIFiles:
    """Generate a complete, fresh PKI for one control plane into ``directory``.

    The serving CA's key is not kept: nothing else needs a serving cert. The client CA's key is kept
    so tests can issue certificates for other users (RBAC tests) after the apiserver started.
    """
    directory.mkdir(parents=True, exist_ok=True)
    files = PKIFiles(directory)

    serving_ca = CertificateAuthority.create("kubenova-serving-ca")
    files.serving_ca.write_bytes(serving_ca.cert_pem)
    serving_ca.issue_serving(SERVING_DNS_NAMES, SERVING_IPS).write(files.serving_cert, files.serving_key)

    client_ca = CertificateAuthority.create("kubenova-client-ca")
    client_ca.as_pem().write(files.client_ca, files.client_ca_key)
    client_ca.issue_client(ADMIN_USER, ADMIN_GROUPS).write(files.admin_cert, files.admin_key)

    files.service_account_key.touch(mode=0o600, exist_ok=True)
    files.service_account_key.write_bytes(new_service_account_key())
    return files


def issue_client_cert(files: PKIFiles, user: str, groups: Sequence[str] = ()) -> CertAndKey:
    """A client certificate for ``user``/``groups`` signed by the control plane's client CA."""
    return files.client_authority().issue_client(user, groups)
