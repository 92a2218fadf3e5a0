"""The unmodified ``openstack`` CLI on the in-place operations: pause/unpause, soft and hard
reboot, suspend (accepted, then failed), ``server set --state`` (admin's os-resetState) and
``server show --diagnostics``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.test_server_support import Boot, boot, unique
from tests.clients.test_osc_servers import Cli
from tests.fixtures.gateway import GatewayHandle
from tests.fixtures.operator import OperatorHandle
from tests.support.wait import wait_for

pytestmark = [pytest.mark.cluster, pytest.mark.clients]
__all__ = ["boot"]


def test_in_place_operations_with_the_openstack_cli(
    gateway: GatewayHandle, operator: OperatorHandle, boot: Boot, tmp_path: Path
) -> None:
    admin, member = Cli(gateway, "admin", tmp_path), Cli(gateway, "demo-member", tmp_path)
    vm = unique("osc-inplace")
    server = member.json(
        "server", "create", "--flavor", boot.flavor_id, "--image", boot.image_id, "--wait", vm
    )
    try:
        assert member.run("server", "pause", vm) == ""
        wait_for(lambda: member.status(vm) == "PAUSED", timeout=90, interval=1, message=f"{vm} PAUSED")
        assert member.run("server", "unpause", vm) == ""
        wait_for(lambda: member.status(vm) == "ACTIVE", timeout=90, interval=1, message=f"{vm} ACTIVE")
        member.run("server", "reboot", "--soft", "--wait", vm)
        member.run("server", "reboot", "--hard", "--wait", vm)
        assert member.status(vm) == "ACTIVE"

        assert member.run("server", "suspend", vm) == ""

        def suspend_failed() -> bool:
            events = member.json("server", "event", "list", "--long", vm)
            return bool(events) and events[0]["Action"] == "suspend" and events[0]["Message"] == "Error"

        wait_for(suspend_failed, timeout=90, interval=1, message="suspend recorded as failed")
        assert member.status(vm) == "ACTIVE"

        diagnostics = admin.json("server", "show", "--diagnostics", server["id"])
        assert diagnostics["driver"] == "libvirt"
        assert diagnostics["num_cpus"] == boot.flavor_vcpus

        admin.run("server", "set", "--auto-approve", "--state", "error", server["id"])
        assert member.status(vm) == "ERROR"
        admin.run("server", "set", "--auto-approve", "--state", "active", server["id"])
        wait_for(lambda: member.status(vm) == "ACTIVE", timeout=90, interval=1, message=f"{vm} ACTIVE")
        actions = [e["Action"] for e in member.json("server", "event", "list", vm)]
        assert actions[:7] == ["resetState", "resetState", "suspend", "reboot", "reboot", "unpause", "pause"]
    finally:
        member.run("server", "delete", "--wait", server["id"])
