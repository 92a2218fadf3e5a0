"""The legacy ``nova`` CLI, unmodified, through the openrc that ``make run`` writes.

The nova shell reads only ``OS_*`` variables (it has no clouds.yaml support), so the local stack
writes ``.state/openrc`` next to the clouds.yaml; this drives the CLI with exactly that file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kubenova_localstack import openstack_config
from tests.fixtures.gateway import GatewayHandle
from tests.support.cluster import Cluster

pytestmark = [pytest.mark.cluster, pytest.mark.clients]


def test_nova_list_with_the_stacks_openrc(gateway: GatewayHandle, cluster: Cluster, tmp_path: Path) -> None:
    admin = gateway.passwords["admin"]
    passwords = openstack_config.Passwords(dict.fromkeys(openstack_config.STACK_USERS, admin))
    clouds = openstack_config.clouds(gateway.auth_url, passwords)
    openrc = tmp_path / "openrc"
    openstack_config.write_openrc(openrc, clouds[openstack_config.ADMIN_CLOUD])
    env = {k: v for k, v in cluster.env.items() if not k.startswith("OS_")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-c", f". {openrc} && nova list && nova flavor-list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    header = next(line for line in done.stdout.splitlines() if line.startswith("| ID"))
    assert [c.strip() for c in header.strip("|").split("|")][:3] == ["ID", "Name", "Status"]
