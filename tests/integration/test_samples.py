"""The documented quick start: `kubectl apply -f manifests/samples/` gives an ACTIVE server whose
`kubectl get servers` row reads like `openstack server list`."""

from __future__ import annotations

import email

import pytest

from kubenova_localstack.binaries import repo_root
from tests.integration.compute import Compute
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster


def test_samples_apply_to_an_active_server(compute: Compute, cluster: Cluster) -> None:
    cluster.run_kubectl("apply", "-n", compute.namespace, "-f", str(repo_root() / "manifests" / "samples"))

    server = compute.wait_status("cirros-1", "ACTIVE", timeout=60)
    status = server["status"]
    assert status["host"]
    assert status["networks"].startswith("private=")

    row = cluster.run_kubectl(
        "get", "servers", "-n", compute.namespace, "cirros-1", "--no-headers"
    ).stdout.split()
    # NAME STATUS TASK(empty) POWER FLAVOR IMAGE HOST NETWORKS AGE
    assert row[:7] == [
        "cirros-1",
        "ACTIVE",
        "Running",
        "m1.tiny",
        "cirros",
        status["host"],
        status["networks"],
    ]

    wide = cluster.run_kubectl("get", "servers", "-n", compute.namespace, "-o", "wide").stdout
    assert "ZONE" in wide.splitlines()[0]
    assert "nova" in wide.splitlines()[1].split()

    # The sample keypair is injected next to the sample's shell-script user data.
    vm = compute.vm("cirros-1")
    assert vm is not None
    volumes = {v["name"]: v for v in vm["spec"]["template"]["spec"]["volumes"]}
    user_data = email.message_from_string(volumes["cloudinitdisk"]["cloudInitNoCloud"]["userData"])
    parts = {p.get_content_type(): str(p.get_payload()) for p in user_data.walk() if not p.is_multipart()}
    assert "ssh-ed25519" in parts["text/cloud-config"]
    assert "hello from kubenova" in parts["text/plain"]

    fingerprint = wait_for(
        lambda: compute.get_cluster_object("keypairs", "demo-key").get("status", {}).get("fingerprint"),
        timeout=20,
        message="sample keypair fingerprint",
    )
    assert fingerprint.count(":") == 15
