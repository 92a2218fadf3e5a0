"""Objects the generated CRDs must refuse, with the words a user should see in the refusal.

Shared by the API-level and the kubectl-level admission tests. Each case is a whole object (the
least a valid object needs, plus one mistake) and the fragments the API server's message must hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubenova.resources.base import API_VERSION


@dataclass(frozen=True)
class Invalid:
    """One rejected object: ``spec`` overrides on a valid one, and the expected message fragments."""

    id: str
    kind: str
    spec: dict[str, Any]
    expect: tuple[str, ...]
    drop: tuple[str, ...] = field(default=())


VALID_SPECS: dict[str, dict[str, Any]] = {
    "Flavor": {"vcpus": 1, "ram": 512},
    "Keypair": {
        "publicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG6xs9ps2ZpXuZHhgBQmsC0W7GfPbx//0E3XV20PO+p8 t@x"
    },
    "Aggregate": {"availabilityZone": "az-1"},
    "Server": {"flavor": "m1.tiny", "image": "cirros"},
    "Image": {"containerDisk": {"image": "quay.io/containerdisks/cirros:0.6"}},
}

CASES = [
    Invalid("negative-ram", "Flavor", {"ram": -512}, ("spec.ram", "greater than or equal to 1")),
    Invalid("zero-vcpus", "Flavor", {"vcpus": 0}, ("spec.vcpus", "greater than or equal to 1")),
    Invalid(
        "bad-keypair-name",
        "Keypair",
        {"name": "my/key"},
        ("spec.name", "keypair names are 1-255 characters of letters, digits, spaces and _-.@"),
    ),
    Invalid(
        "server-bad-key-name",
        "Server",
        {"keyName": "key;rm -rf"},
        ("spec.keyName", "keypair names are 1-255 characters"),
    ),
    Invalid(
        "unknown-power-state",
        "Server",
        {"powerState": "Suspended"},
        ("spec.powerState", 'Unsupported value: "Suspended"', '"Running", "Stopped", "Paused"'),
    ),
    Invalid(
        "reset-state-to-a-state-nova-does-not-reset-to",
        "Server",
        {"resetState": {"state": "building", "requestId": "req-1"}},
        ("spec.resetState.state", 'Unsupported value: "building"', '"active", "error"'),
    ),
    Invalid(
        "rescue-to-an-unknown-state",
        "Server",
        {"rescue": {"state": "Repaired", "requestId": "req-1"}},
        ("spec.rescue.state", 'Unsupported value: "Repaired"', '"Rescued", "Unrescued"'),
    ),
    Invalid(
        "rescue-without-a-request-id",
        "Server",
        {"rescue": {"state": "Rescued"}},
        ("spec.rescue.requestId", "Required value"),
    ),
    Invalid(
        "networks-not-auto-or-none",
        "Server",
        {"networks": "private-net"},
        ("spec.networks", 'Unsupported value: "private-net"', '"auto", "none"'),
    ),
    Invalid(
        "user-data-not-base64",
        "Server",
        {"userData": "#!/bin/sh\necho hi"},
        ("spec.userData", "userData must be base64-encoded"),
    ),
    Invalid(
        "user-data-too-long",
        "Server",
        {"userData": "QUJD" * 16384},
        ("spec.userData", "Too long", "65535"),
    ),
    Invalid(
        "too-many-tags",
        "Server",
        {"tags": [f"tag-{i}" for i in range(51)]},
        ("spec.tags", "Too many: 51", "at most 50 items"),
    ),
    Invalid(
        "tag-with-slash",
        "Server",
        {"tags": ["ok", "web/frontend"]},
        ("spec.tags[1]", "tags are 1-60 characters and may not contain ',' or '/'"),
    ),
    Invalid(
        "metadata-value-too-long",
        "Server",
        {"metadata": {"role": "x" * 256}},
        ("spec.metadata.role", "Too long", "255"),
    ),
    Invalid(
        "metadata-key-with-slash",
        "Server",
        {"metadata": {"app.kubernetes.io/name": "web"}},
        ("spec.metadata", "metadata keys must be 1-255 characters of letters, digits, space and -_:."),
    ),
    Invalid("server-without-flavor", "Server", {}, ("spec.flavor", "Required value"), drop=("flavor",)),
    Invalid(
        "zone-with-colon",
        "Aggregate",
        {"availabilityZone": "az-1:node-0"},
        ("spec.availabilityZone", "availability zone names may not contain ':'"),
    ),
    Invalid(
        "image-without-source",
        "Image",
        {},
        ("spec", "an image needs a containerDisk or a volumeSource"),
        drop=("containerDisk",),
    ),
    Invalid(
        "ephemeral-root-without-container-disk",
        "Image",
        {"rootDisk": "Ephemeral", "volumeSource": {"http": {"url": "https://images.example/c.img"}}},
        ("spec", "rootDisk Ephemeral needs a containerDisk"),
        drop=("containerDisk",),
    ),
    Invalid(
        "image-with-two-volume-sources",
        "Image",
        {"volumeSource": {"http": {"url": "https://a/b"}, "pvc": {"namespace": "images", "name": "c"}}},
        ("spec.volumeSource", "volumeSource needs exactly one of http, pvc"),
    ),
    Invalid(
        "image-root-disk-kind",
        "Image",
        {"rootDisk": "Sometimes"},
        ("spec.rootDisk", "Unsupported value"),
    ),
    Invalid(
        "aggregate-host-twice",
        "Aggregate",
        {"hosts": ["sim-node-0", "sim-node-0"]},
        ("spec.hosts[1]", "Duplicate value"),
    ),
]


def invalid_body(case: Invalid, name: str, namespace: str | None) -> dict[str, Any]:
    spec = {k: v for k, v in VALID_SPECS[case.kind].items() if k not in case.drop} | case.spec
    metadata: dict[str, Any] = {"name": name}
    if namespace is not None:
        metadata["namespace"] = namespace
    return {"apiVersion": API_VERSION, "kind": case.kind, "metadata": metadata, "spec": spec}
