"""A user's first steps, as the samples' comments describe them:

    kubectl apply -n <namespace> -f manifests/samples/
    kubectl get servers -n <namespace>      # STATUS goes BUILD -> ACTIVE, with HOST and NETWORKS

then the server runs on that host as a KubeVirt VMI with that address, and deleting the Server
removes its VirtualMachine.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.e2e.conftest import SAMPLES, Stack
from tests.support.cluster import Cluster
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

SERVER = "cirros-1"  # manifests/samples/05-server.yaml


def _names(cluster: Cluster, *args: str) -> set[str]:
    done = cluster.run_kubectl("get", *args, "--ignore-not-found", "-o", "name")
    return set(done.stdout.split())


def _server(cluster: Cluster, namespace: str) -> dict[str, Any]:
    done = cluster.run_kubectl("get", "server.compute.kubenova.io", SERVER, "-n", namespace, "-o", "json")
    body: dict[str, Any] = json.loads(done.stdout)
    return body


def _columns(table: str) -> list[dict[str, str]]:
    """``kubectl get`` table output as dicts keyed by header (columns are space-aligned)."""
    lines = [line for line in table.splitlines() if line.strip()]
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    names = header.split()
    rows = []
    for line in lines[1:]:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
        rows.append(dict(zip(names, cells, strict=True)))
    return rows


def test_samples_boot_a_server_with_host_and_networks(stack: Stack, namespace: str) -> None:
    cluster = stack.cluster
    # Flavors, images, the keypair and the aggregate are cluster-scoped and may exist already
    # (another test, an earlier run): remove afterwards only what this apply created.
    before = _names(cluster, "-f", str(SAMPLES), "-n", namespace)
    try:
        applied = cluster.run_kubectl("apply", "-n", namespace, "-f", f"{SAMPLES}/")
        assert f"server.compute.kubenova.io/{SERVER} created" in applied.stdout, applied.stdout

        def active() -> dict[str, Any] | None:
            status: dict[str, Any] = _server(cluster, namespace).get("status") or {}
            assert status.get("status") != "ERROR", status
            return status if status.get("status") == "ACTIVE" else None

        status = wait_for(active, timeout=stack.boot_timeout, interval=1, message=f"{SERVER} ACTIVE")
        assert status is not None
        assert status["host"], status
        assert status["networks"], status
        assert status["powerState"] == "Running", status

        # What `kubectl get servers` shows a user (the CRD's printer columns).
        table = cluster.run_kubectl("get", "servers.compute.kubenova.io", "-n", namespace).stdout
        (row,) = _columns(table)
        assert row["NAME"] == SERVER
        assert row["STATUS"] == "ACTIVE"
        assert row["HOST"] == status["host"]
        assert row["NETWORKS"] == status["networks"]
        assert (row["FLAVOR"], row["IMAGE"]) == ("m1.tiny", "cirros")

        # KubeVirt (real or simulated) runs it there, with that address.
        vmi = json.loads(
            cluster.run_kubectl(
                "get", "virtualmachineinstances.kubevirt.io", SERVER, "-n", namespace, "-o", "json"
            ).stdout
        )
        assert vmi["status"]["phase"] == "Running"
        assert vmi["status"]["nodeName"] == status["host"]
        addresses = [i.get("ipAddress") for i in vmi["status"].get("interfaces") or [] if i.get("ipAddress")]
        assert addresses
        assert addresses[0] in status["networks"]

        cluster.run_kubectl("delete", "server.compute.kubenova.io", SERVER, "-n", namespace, "--wait=false")
        wait_for(
            lambda: (
                not _names(cluster, "server.compute.kubenova.io", SERVER, "-n", namespace)
                and not _names(cluster, "virtualmachines.kubevirt.io", SERVER, "-n", namespace)
            ),
            timeout=stack.boot_timeout,
            interval=1,
            message="the Server and its VirtualMachine are gone",
        )
    finally:
        created = _names(cluster, "-f", str(SAMPLES), "-n", namespace) - before
        for name in sorted(created):
            cluster.run_kubectl("delete", name, "-n", namespace, "--wait=false", check=False)
