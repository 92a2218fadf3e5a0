"""Killing the operator at any moment never duplicates or orphans a VM and never loses a Server;
whatever was asked while it was down is done when it is back."""

from __future__ import annotations

import time

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.integration.compute import Compute
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

COUNT = 10


def test_builds_interrupted_by_sigkill_adopt_their_vms(compute: Compute, operator: OperatorHandle) -> None:
    flavor, image = compute.flavor(), compute.image()
    names = [f"adopt-{i}" for i in range(COUNT)]
    for name in names:
        compute.create_server(name, flavor=flavor, image=image)
    try:
        wait_for(lambda: len(compute.vms()) >= 3, timeout=60, interval=0.05, message="some VMs created")
        operator.kill()
        before = {vm["metadata"]["name"]: vm["metadata"]["uid"] for vm in compute.vms()}
    finally:
        operator.start()

    for name in names:
        compute.wait_status(name, "ACTIVE", timeout=90)
    vms = {vm["metadata"]["name"]: vm for vm in compute.vms()}
    assert sorted(vms) == sorted(names)
    for name, uid in before.items():
        assert vms[name]["metadata"]["uid"] == uid, f"VM {name} was recreated instead of adopted"
    for name in names:
        server = compute.server(name)
        assert [r["uid"] for r in vms[name]["metadata"]["ownerReferences"]] == [server["metadata"]["uid"]]
        assert [a["action"] for a in server["status"]["actions"]] == ["create"]


def test_changes_made_while_the_operator_is_down_are_carried_out(
    compute: Compute, operator: OperatorHandle
) -> None:
    flavor, image = compute.flavor(), compute.image()
    for name in ("to-stop", "to-delete", "to-reboot"):
        compute.create_server(name, flavor=flavor, image=image)
    for name in ("to-stop", "to-delete", "to-reboot"):
        compute.wait_status(name, "ACTIVE")
    old_vmi = compute.vmi("to-reboot")
    assert old_vmi is not None

    operator.kill()
    try:
        compute.patch_server("to-stop", {"powerState": "Stopped"})
        compute.patch_server("to-reboot", {"reboot": {"type": "HARD", "requestId": "req-offline"}})
        compute.delete_server("to-delete")
        compute.create_server("born-offline", flavor=flavor, image=image)
    finally:
        operator.start()

    compute.wait_status("to-stop", "SHUTOFF", timeout=60)
    compute.wait_gone("to-delete", timeout=60)
    assert compute.vm("to-delete") is None
    compute.wait_status("born-offline", "ACTIVE", timeout=60)

    def rebooted() -> bool:
        status = compute.server("to-reboot")["status"]
        return bool(status.get("handledReboot") == "req-offline" and status["status"] == "ACTIVE")

    wait_for(rebooted, timeout=60, message="reboot requested while down carried out")
    new_vmi = compute.vmi("to-reboot")
    assert new_vmi is not None
    assert new_vmi["metadata"]["uid"] != old_vmi["metadata"]["uid"]


def test_a_server_whose_vm_vanished_still_deletes(compute: Compute) -> None:
    compute.create_server("orphan", flavor=compute.flavor(), image=compute.image())
    compute.wait_status("orphan", "ACTIVE")
    compute.custom.delete_namespaced_custom_object(
        "kubevirt.io", "v1", compute.namespace, "virtualmachines", "orphan"
    )

    def nostate() -> bool:
        return bool(compute.server("orphan")["status"].get("powerState") == "NOSTATE")

    wait_for(nostate, timeout=30, message="missing VM reported as power NOSTATE")
    compute.delete_server("orphan")
    compute.wait_gone("orphan", timeout=30)


def test_sigterm_stops_the_operator_cleanly(operator: OperatorHandle) -> None:
    assert operator.process is not None
    started = time.monotonic()
    try:
        operator.stop()
        assert operator.process.poll() == 0
        assert time.monotonic() - started < 15
        assert "Traceback" not in operator.log_text().rsplit("===== operator start", 1)[-1]
    finally:
        operator.start()
