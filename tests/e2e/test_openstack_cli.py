"""An OpenStack user's day with the unmodified ``openstack`` CLI against kubenova's gateway.

The cloud admin adds a flavor (``openstack flavor create``) and an image (a kubenova Image object:
the Glance API is read-only); a project member boots a server with ``--wait``, sees its address,
stops and starts it, and deletes it; the admin sees which host it ran on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Stack
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.clients]

OPENSTACK = Path(sys.executable).parent / "openstack"
CIRROS = "quay.io/kubevirt/cirros-container-disk-demo:v1.4.0"


class Cli:
    """``openstack`` as one user, through a clouds.yaml of their own."""

    def __init__(self, stack: Stack, user: str, directory: Path) -> None:
        self.user = user
        self.env = stack.openstack_env(stack.clouds_yaml(directory / f"clouds-{user}.yaml", user))

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(OPENSTACK), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"[{self.user}] openstack {' '.join(args)} failed:\n{done.stderr}"
        return done

    def json(self, *args: str, timeout: float = 120) -> Any:
        return json.loads(self.run(*args, "-f", "json", timeout=timeout).stdout)


@pytest.fixture
def catalog(stack: Stack, tmp_path: Path, unique: str) -> Iterator[tuple[str, str]]:
    """A flavor created by the admin through the API and an image created with kubectl."""
    admin = Cli(stack, "admin", tmp_path)
    flavor = f"e2e.tiny-{unique}"
    image = f"e2e-cirros-{unique}"
    admin.json("flavor", "create", "--vcpus", "1", "--ram", "512", "--disk", "1", flavor)
    manifest = {
        "apiVersion": "compute.kubenova.io/v1alpha1",
        "kind": "Image",
        "metadata": {"name": image},
        "spec": {"name": image, "containerDisk": {"image": CIRROS}, "visibility": "public"},
    }
    stack.cluster.run_kubectl("apply", "-f", "-", stdin=json.dumps(manifest))
    try:
        yield flavor, image
    finally:
        stack.cluster.run_kubectl("delete", "image.compute.kubenova.io", image, "--wait=false", check=False)
        subprocess.run(
            [str(OPENSTACK), "flavor", "delete", flavor],
            env=admin.env,
            capture_output=True,
            timeout=120,
            check=False,
        )


def test_a_member_boots_uses_and_deletes_a_server(
    stack: Stack, catalog: tuple[str, str], tmp_path: Path, unique: str
) -> None:
    flavor, image = catalog
    member = Cli(stack, "demo-member", tmp_path)
    name = f"e2e-vm-{unique}"
    wait_for(
        lambda: image in [i["Name"] for i in member.json("image", "list")],
        timeout=30,
        message="the image is listed by Glance",
    )
    created = member.json(
        "server", "create", "--flavor", flavor, "--image", image, "--wait", name, timeout=stack.boot_timeout
    )
    server_id = created["id"]
    try:
        assert created["status"] == "ACTIVE", created
        shown = member.json("server", "show", server_id)
        assert shown["name"] == name
        assert shown["status"] == "ACTIVE"
        assert shown["addresses"], shown
        listed = member.json("server", "list")
        assert [(s["Name"], s["Status"]) for s in listed if s["ID"] == server_id] == [(name, "ACTIVE")]

        # The admin sees where it runs: a Node of the cluster.
        admin = Cli(stack, "admin", tmp_path)
        host = admin.json("server", "show", server_id)["OS-EXT-SRV-ATTR:host"]
        nodes = stack.cluster.run_kubectl("get", "nodes", "-o", "name").stdout.split()
        assert f"node/{host}" in nodes

        member.run("server", "stop", server_id)
        wait_for(
            lambda: member.json("server", "show", server_id)["status"] == "SHUTOFF",
            timeout=stack.boot_timeout,
            interval=1,
            message="SHUTOFF after `server stop`",
        )
        member.run("server", "start", server_id)
        wait_for(
            lambda: member.json("server", "show", server_id)["status"] == "ACTIVE",
            timeout=stack.boot_timeout,
            interval=1,
            message="ACTIVE after `server start`",
        )
    finally:
        member.run("server", "delete", "--wait", server_id, timeout=stack.boot_timeout)
    assert server_id not in [s["ID"] for s in member.json("server", "list")]
