"""A cloud admin's day with the unmodified ``openstack`` CLI: aggregates and zones, placing servers
into a zone, taking a compute service out of scheduling, hypervisors, quotas and limits.

Everything real: the gateway, the operator scheduling onto Nodes, the KubeVirt simulator running
the VMs, and ``openstack`` as a subprocess with a clouds.yaml. The two compute hosts are Nodes of
this test, alone in a zone of their own; every name carries a random suffix.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory, SimulatorHandle
from tests.support.cluster import Cluster

pytestmark = [pytest.mark.cluster, pytest.mark.clients]

OPENSTACK = Path(sys.executable).parent / "openstack"
CIRROS = "quay.io/kubevirt/cirros-container-disk-demo:v1.4.0"


class Cli:
    """``openstack`` as the admin, through a clouds.yaml of its own."""

    def __init__(self, gateway: GatewayHandle, directory: Path) -> None:
        clouds = gateway.clouds_yaml(directory / "clouds.yaml", user="admin")
        self.env = gateway.client_env(clouds, {"PATH": str(OPENSTACK.parent), "HOME": str(directory)})

    def attempt(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(OPENSTACK), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def run(self, *args: str, timeout: float = 180) -> str:
        done = self.attempt(*args, timeout=timeout)
        assert done.returncode == 0, f"openstack {' '.join(args)} failed:\n{done.stderr}"
        return done.stdout

    def json(self, *args: str, timeout: float = 180) -> Any:
        output = self.run(*args, "-f", "json", timeout=timeout)
        # ``--wait`` prints "Progress: N" lines before the document.
        start = min((i for i in (output.find("{"), output.find("[")) if i >= 0), default=0)
        return json.loads(output[start:])


@pytest.fixture
def cli(gateway: GatewayHandle, operator: OperatorHandle, simulator: SimulatorHandle, tmp_path: Path) -> Cli:
    simulator.check_alive()
    operator.check_alive()
    return Cli(gateway, tmp_path)


@pytest.fixture
def cleanup(cli: Cli, cluster: Cluster) -> Iterator[list[tuple[str, ...]]]:
    """``openstack`` commands (and ``kubectl`` ones, prefixed "kubectl") run at the end, last first."""
    commands: list[tuple[str, ...]] = []
    yield commands
    for command in reversed(commands):
        if command[0] == "kubectl":
            cluster.run_kubectl(*command[1:], check=False)
        else:
            cli.attempt(*command)


def test_admin_scenario(
    cli: Cli, cluster: Cluster, managed_node: ManagedNodeFactory, cleanup: list[tuple[str, ...]]
) -> None:
    suffix = secrets.token_hex(3)
    zone, aggregate = f"az1-{suffix}", f"agg1-{suffix}"
    node_a = managed_node(f"osc-a-{suffix}")
    node_b = managed_node(f"osc-b-{suffix}")

    # --- aggregates and zones ------------------------------------------------------------------
    created = cli.json("aggregate", "create", "--zone", zone, aggregate)
    cleanup.append(("aggregate", "delete", aggregate))
    assert (created["name"], created["availability_zone"]) == (aggregate, zone)
    for node in (node_a, node_b):
        cli.run("aggregate", "add", "host", aggregate, node)
        cleanup.append(("aggregate", "remove", "host", aggregate, node))
    cli.run("aggregate", "set", "--property", "ssd=true", aggregate)
    shown = cli.json("aggregate", "show", aggregate)
    assert sorted(shown["hosts"]) == sorted([node_a, node_b])
    assert shown["properties"] == {"ssd": "true"}  # OSC shows the zone on its own line
    assert shown["availability_zone"] == zone

    zones = cli.json("availability", "zone", "list", "--long")
    ours = [z for z in zones if z["Zone Name"] == zone]
    assert {z["Host Name"] for z in ours} == {node_a, node_b}
    assert {(z["Zone Status"], z["Service Name"]) for z in ours} == {("available", "nova-compute")}
    assert all(z["Service Status"].startswith("enabled :-)") for z in ours), ours

    # --- a server booted into the zone lands on one of its hosts --------------------------------
    flavor, image = f"osc.tiny-{suffix}", f"osc-cirros-{suffix}"
    cli.json("flavor", "create", "--vcpus", "1", "--ram", "256", "--disk", "1", flavor)
    cleanup.append(("flavor", "delete", flavor))
    manifest = {
        "apiVersion": "compute.kubenova.io/v1alpha1",
        "kind": "Image",
        "metadata": {"name": image},
        "spec": {"name": image, "containerDisk": {"image": CIRROS}, "visibility": "public"},
    }
    cluster.run_kubectl("apply", "-f", "-", stdin=json.dumps(manifest))
    cleanup.append(("kubectl", "delete", "image.compute.kubenova.io", image, "--wait=false"))

    def boot(name: str) -> dict[str, Any]:
        cleanup.append(("server", "delete", "--wait", name))
        server: dict[str, Any] = cli.json(
            "server",
            "create",
            "--flavor",
            flavor,
            "--image",
            image,
            "--availability-zone",
            zone,
            "--wait",
            name,
            timeout=240,
        )
        assert server["status"] == "ACTIVE", server
        return server

    first = boot(f"osc-vm1-{suffix}")
    assert first["OS-EXT-SRV-ATTR:host"] in (node_a, node_b)
    assert first["OS-EXT-AZ:availability_zone"] == zone

    # --- a disabled compute service takes its host out of scheduling ----------------------------
    cli.run(
        "compute", "service", "set", "--disable", "--disable-reason", "maintenance", node_a, "nova-compute"
    )
    cleanup.append(("compute", "service", "set", "--enable", node_a, "nova-compute"))
    services = cli.json("compute", "service", "list", "--host", node_a, "--long")
    assert [(s["Binary"], s["Status"], s["Disabled Reason"]) for s in services] == [
        ("nova-compute", "disabled", "maintenance")
    ]
    for index in (2, 3):
        server = boot(f"osc-vm{index}-{suffix}")
        assert server["OS-EXT-SRV-ATTR:host"] == node_b

    # --- hypervisors ----------------------------------------------------------------------------
    hypervisors = {h["Hypervisor Hostname"]: h for h in cli.json("hypervisor", "list")}
    assert hypervisors[node_a]["State"] == "up"
    assert hypervisors[node_b]["Hypervisor Type"] == "QEMU"
    shown_b = cli.json("hypervisor", "show", node_b)
    assert shown_b["aggregates"] == [aggregate]
    assert shown_b["service_host"] == node_b
    assert shown_b["status"] == "enabled"
    assert cli.json("hypervisor", "show", node_a)["status"] == "disabled"
    stats = cli.json("hypervisor", "stats", "show")
    assert stats["count"] >= 1
    assert stats["running_vms"] >= 2  # node_b's two; node_a is disabled and left out

    # --- quotas and limits ----------------------------------------------------------------------
    rows = cli.json("quota", "show")
    quota = {row["Resource"]: row["Limit"] for row in rows}
    assert (quota["instances"], quota["cores"], quota["ram"]) == (10, 20, 51200)
    # The SDK renames Nova's limits (maxTotalInstances → max_total_instances, ...).
    limits = {row["Name"]: row["Value"] for row in cli.json("limits", "show", "--absolute")}
    assert (limits["max_total_instances"], limits["max_total_cores"]) == (10, 20)
    assert limits["instances_used"] >= 3
    assert limits["total_cores_used"] >= 3
    assert limits["total_ram_used"] >= 3 * 256
