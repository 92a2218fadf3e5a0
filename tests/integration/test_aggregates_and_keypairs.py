"""Aggregates label their Nodes (zones visible in `kubectl get nodes`), get an id, report
missing hosts and clean up after themselves; Keypairs get their fingerprint."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.fixtures.simulator import ManagedNodeFactory
from tests.integration.compute import AZ_LABEL, Compute, unique
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster


def node_labels(compute: Compute, name: str) -> dict[str, str]:
    metadata = compute.core.read_node(name).metadata
    return dict(metadata.labels or {}) if metadata is not None else {}


def ours(labels: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in labels.items() if k.startswith("compute.kubenova.io/")}


def test_aggregate_labels_member_nodes_and_reports_missing_hosts(
    managed_node: ManagedNodeFactory, compute: Compute, cluster: Cluster
) -> None:
    first, second = managed_node(unique("agg-a")), managed_node(unique("agg-b"))
    zone = unique("az-lbl")
    name = compute.aggregate(zone=zone, hosts=[first, "no-such-node"])
    membership = f"compute.kubenova.io/aggregate-{name}"

    wait_for(
        lambda: ours(node_labels(compute, first)) == {AZ_LABEL: zone, membership: "true"},
        timeout=20,
        message="member node labelled",
    )
    assert ours(node_labels(compute, second)) == {}

    def reported() -> dict[str, object] | None:
        aggregate = compute.get_cluster_object("aggregates", name)
        ready = aggregate.get("status", {}).get("missingHosts") == ["no-such-node"]
        return aggregate if ready and aggregate["status"].get("id") else None

    aggregate = wait_for(reported, timeout=20, message="missing hosts and id reported")
    assert isinstance(aggregate["status"]["id"], int)  # type: ignore[index]

    shown = cluster.run_kubectl("get", "nodes", first, "-L", AZ_LABEL, "--no-headers").stdout
    assert zone in shown.split()

    compute.patch_cluster_object("aggregates", name, {"spec": {"hosts": [second]}})
    wait_for(lambda: ours(node_labels(compute, first)) == {}, timeout=20, message="removed host unlabelled")
    wait_for(
        lambda: ours(node_labels(compute, second)) == {AZ_LABEL: zone, membership: "true"},
        timeout=20,
        message="added host labelled",
    )
    wait_for(
        lambda: compute.get_cluster_object("aggregates", name).get("status", {}).get("missingHosts") == [],
        timeout=20,
        message="missing hosts cleared",
    )

    compute.delete_cluster_object("aggregates", name)
    wait_for(
        lambda: ours(node_labels(compute, second)) == {}, timeout=20, message="labels gone with the aggregate"
    )


def test_aggregate_ids_are_distinct(compute: Compute) -> None:
    names = [compute.aggregate(zone=None, hosts=[]) for _ in range(3)]

    def ids() -> list[int] | None:
        found = [compute.get_cluster_object("aggregates", n).get("status", {}).get("id") for n in names]
        return found if all(found) else None

    assigned = wait_for(ids, timeout=20, message="ids assigned")
    assert assigned is not None
    assert len(set(assigned)) == 3


def test_servers_in_a_zone_land_on_its_nodes(managed_node: ManagedNodeFactory, compute: Compute) -> None:
    node = managed_node(unique("zoned"))
    zone = unique("az-srv")
    compute.aggregate(zone=zone, hosts=[node])
    compute.create_server("zoned", flavor=compute.flavor(), image=compute.image(), availabilityZone=zone)
    status = compute.wait_status("zoned", "ACTIVE")["status"]
    assert status["host"] == node
    assert status["availabilityZone"] == zone


def ssh_keygen(tmp_path: Path) -> tuple[str, str]:
    key = tmp_path / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    public = key.with_suffix(".pub").read_text().strip()
    printed = subprocess.run(
        ["ssh-keygen", "-E", "md5", "-l", "-f", str(key.with_suffix(".pub"))],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return public, printed.split()[1].removeprefix("MD5:")


def test_keypair_fingerprint_matches_ssh_keygen(compute: Compute, tmp_path: Path) -> None:
    try:
        public, expected = ssh_keygen(tmp_path)
    except FileNotFoundError:
        pytest.skip("ssh-keygen is not installed")
    name = compute.keypair(public)
    wait_for(
        lambda: compute.get_cluster_object("keypairs", name).get("status", {}).get("fingerprint") == expected,
        timeout=20,
        message="fingerprint",
    )


def test_invalid_keypair_reports_an_error(compute: Compute) -> None:
    name = compute.keypair("ssh-ed25519 AAAAB3NzaC1yc2E=")

    def error() -> str | None:
        status = compute.get_cluster_object("keypairs", name).get("status", {})
        return status.get("error") if status.get("fingerprint") is None else None

    message = wait_for(error, timeout=20, message="keypair error")
    assert message is not None
    assert message.startswith("Keypair data is invalid")
