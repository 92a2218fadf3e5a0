"""``Keypair``: a user's public key injected into servers (cluster-scoped; keypairs belong to users)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from kubenova.resources.base import CamelModel, CrdInfo, CustomResource, PrinterColumn, pattern_message

KEYPAIR_NAME_PATTERN = r"^[a-zA-Z0-9_\- .@]{1,255}$"
KEYPAIR_NAME_MESSAGE = "keypair names are 1-255 characters of letters, digits, spaces and _-.@"


class KeypairSpec(CamelModel):
    """The public half of a key pair, injected into servers that name it in spec.keyName.

    The private key is never stored.
    """

    name: str | None = Field(
        default=None,
        max_length=255,
        pattern=KEYPAIR_NAME_PATTERN,
        description="Nova keypair name (key_name): letters, digits, spaces and _-.@, at most 255 "
        "characters. Defaults to metadata.name.",
        json_schema_extra=pattern_message(KEYPAIR_NAME_MESSAGE),
    )
    user_id: str | None = Field(
        default=None, description="Owning user id. Keypairs are per user; empty means usable by anyone."
    )
    type: Literal["ssh", "x509"] = Field(default="ssh", description="Key type: ssh or x509.")
    public_key: str = Field(
        min_length=1,
        max_length=16384,
        description="OpenSSH public key line (ssh) or PEM certificate (x509).",
    )


class KeypairStatus(CamelModel):
    """Observed state of the keypair, written only by the operator."""

    fingerprint: str | None = Field(
        default=None, description="MD5 colon-hex of the key blob (ssh) or SHA-1 of the certificate (x509)."
    )
    error: str | None = Field(default=None, description="Why the public key could not be parsed.")


class Keypair(CustomResource):
    """A user's public key, injected into servers via cloud-init."""

    crd: ClassVar[CrdInfo] = CrdInfo(
        kind="Keypair",
        plural="keypairs",
        scope="Cluster",
        short_names=("kp",),
        printer_columns=(
            PrinterColumn("KEY NAME", ".spec.name"),
            PrinterColumn("USER", ".spec.userId"),
            PrinterColumn("TYPE", ".spec.type"),
            PrinterColumn("FINGERPRINT", ".status.fingerprint"),
            PrinterColumn("AGE", ".metadata.creationTimestamp", "date"),
        ),
    )

    spec: KeypairSpec
    status: KeypairStatus = Field(default_factory=KeypairStatus)

    @property
    def key_name(self) -> str:
        return self.spec.name or self.metadata.name
