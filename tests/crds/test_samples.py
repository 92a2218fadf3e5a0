"""manifests/samples/: realistic, self-consistent, valid for the models and accepted by the API server."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_ssh_public_key

from kubenova.resources import Aggregate, Flavor, Image, Keypair, Server
from tests.crds.objects import MODELS
from tests.support.cluster import Cluster

SAMPLES = Path(__file__).resolve().parents[2] / "manifests" / "samples"
EXPECTED_FILES = [
    "01-flavors.yaml",
    "02-images.yaml",
    "03-keypair.yaml",
    "04-aggregates.yaml",
    "05-server.yaml",
]


def documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(SAMPLES.glob("*.yaml")):
        docs.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    return docs


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in documents() if doc["kind"] == kind]


def test_samples_are_numbered_and_commented() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.yaml")) == EXPECTED_FILES
    for name in EXPECTED_FILES:
        assert (SAMPLES / name).read_text().startswith("# "), name


def test_every_sample_parses_with_its_model() -> None:
    for doc in documents():
        assert doc["apiVersion"] == "compute.kubenova.io/v1alpha1"
        MODELS[doc["kind"]].model_validate(doc)
        assert "namespace" not in doc["metadata"], "samples apply into whatever namespace is chosen"


def test_flavors_are_novas_m1_family() -> None:
    flavors = {f.metadata.name: f for f in map(Flavor.model_validate, of_kind("Flavor"))}
    assert {name: f.flavor_id for name, f in flavors.items()} == {
        "m1.tiny": "1",
        "m1.small": "2",
        "m1.medium": "3",
    }
    assert flavors["m1.tiny"].spec.ram < flavors["m1.small"].spec.ram < flavors["m1.medium"].spec.ram


def test_images_are_container_disks() -> None:
    sources = {
        i.metadata.name: i.spec.container_disk.image for i in map(Image.model_validate, of_kind("Image"))
    }
    assert sources["cirros"] == "quay.io/kubevirt/cirros-container-disk-demo:v1.4.0"
    assert any("fedora" in source for source in sources.values())


def test_keypair_holds_a_real_ed25519_public_key() -> None:
    [keypair] = map(Keypair.model_validate, of_kind("Keypair"))
    key = load_ssh_public_key(keypair.spec.public_key.encode())
    assert isinstance(key, Ed25519PublicKey)


def test_aggregate_defines_az_1_without_cluster_specific_hosts() -> None:
    [aggregate] = map(Aggregate.model_validate, of_kind("Aggregate"))
    assert aggregate.spec.availability_zone == "az-1"
    assert aggregate.spec.hosts == []
    assert aggregate.spec.metadata


def test_server_references_the_other_samples() -> None:
    [server] = map(Server.model_validate, of_kind("Server"))
    assert server.spec.flavor == "m1.tiny"
    assert server.spec.image == "cirros"
    assert server.spec.key_name in {Keypair.model_validate(k).key_name for k in of_kind("Keypair")}
    assert server.spec.availability_zone is None
    assert server.spec.user_data is not None
    assert base64.b64decode(server.spec.user_data, validate=True).startswith(b"#!")


@pytest.mark.cluster
def test_kubectl_apply_accepts_every_sample(
    cluster: Cluster, crds_installed: list[str], namespace: str
) -> None:
    """``kubectl apply -f manifests/samples/`` as a user runs it.

    The flavors, images, keypair and aggregate are cluster-scoped and other tests may share their
    names; if any already exists the apply is a server-side dry run (full admission, no change),
    otherwise it is real and the created cluster-scoped objects are removed afterwards.
    """
    present = cluster.run_kubectl(
        "get", "-f", str(SAMPLES), "-n", namespace, "--ignore-not-found", "-o", "name"
    )
    dry_run = ["--dry-run=server"] if present.stdout.strip() else []
    try:
        done = cluster.run_kubectl("apply", "-n", namespace, "-f", f"{SAMPLES}/", *dry_run, check=False)
        assert done.returncode == 0, done.stderr
        applied = re.findall(r"^(\S+) (?:created|configured|unchanged)", done.stdout, re.MULTILINE)
        expected = [
            f"{doc['kind'].lower()}.compute.kubenova.io/{doc['metadata']['name']}" for doc in documents()
        ]
        assert sorted(applied) == sorted(expected)
        if not dry_run:
            listed = cluster.run_kubectl(
                "get", "-f", str(SAMPLES), "-n", namespace, "-o", "name"
            ).stdout.split()
            assert sorted(listed) == sorted(expected)
    finally:
        if not dry_run:
            cluster.run_kubectl("delete", "-n", namespace, "-f", str(SAMPLES), "--wait=false", check=False)
