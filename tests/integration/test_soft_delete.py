"""Soft delete (``spec.softDeleted``, Nova's deferred delete): the VM is halted and kept
(SOFT_DELETED), ``false`` again restores it (ACTIVE, a VMI runs), a Kubernetes delete (Nova's
forceDelete) removes it, and the reclaim interval's end makes the operator delete it; each leaves
its record. An operator SIGKILLed in the middle still gets there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.integration.compute import Compute
from tests.integration.test_server_records import record
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

INTERVAL = "20"  # long enough to restore in, short enough to wait for


@pytest.fixture
def reclaiming(operator: OperatorHandle) -> Iterator[OperatorHandle]:
    """The operator with a reclaim interval of a few seconds."""
    with operator.configured({"KUBENOVA_RECLAIM_INSTANCE_INTERVAL_SECONDS": INTERVAL}):
        yield operator


def _halted_and_kept(compute: Compute, name: str) -> None:
    wait_for(lambda: compute.vmi(name) is None, timeout=30, message=f"VMI of {name} gone")
    vm = compute.vm(name)
    assert vm is not None, "a soft-deleted server keeps its VM"
    assert vm["spec"]["runStrategy"] == "Halted"


def test_soft_delete_restore_force_delete_and_reclaim(compute: Compute, reclaiming: OperatorHandle) -> None:
    flavor, image = compute.flavor(), compute.image()
    for name in ("restored", "forced", "reclaimed"):
        compute.create_server(name, flavor=flavor, image=image)
    uids = {
        n: compute.wait_status(n, "ACTIVE")["metadata"]["uid"] for n in ("restored", "forced", "reclaimed")
    }

    # Soft delete, with the operator SIGKILLed right after the request.
    compute.patch_server("restored", {"softDeleted": True})
    reclaiming.kill()
    reclaiming.start()
    soft = compute.wait_status("restored", "SOFT_DELETED", timeout=60)
    assert soft["status"]["vmState"] == "soft-delete"
    assert soft["status"]["powerState"] == "Shutdown"
    assert soft["status"]["softDeletedAt"]
    _halted_and_kept(compute, "restored")
    # Restore before the interval is over: a VMI runs again.
    compute.patch_server("restored", {"softDeleted": False})
    back = compute.wait_status("restored", "ACTIVE", timeout=60)
    vmi = compute.vmi("restored")
    assert vmi is not None
    assert vmi["status"]["phase"] == "Running"
    assert compute.vm("restored")["spec"]["runStrategy"] == "Always"
    assert "softDeletedAt" not in back["status"]
    log = [(a["action"], a.get("result")) for a in back["status"]["actions"]]
    assert log == [("create", "Success"), ("delete", "Success"), ("restore", "Success")]

    # Soft delete, then the real delete (forceDelete) at once.
    compute.patch_server("forced", {"softDeleted": True})
    compute.wait_status("forced", "SOFT_DELETED", timeout=60)
    compute.delete_server("forced")
    compute.wait_gone("forced", timeout=30)
    assert compute.vm("forced") is None
    assert record(compute, uids["forced"]) is not None

    # Soft delete, then nothing: the operator deletes it once the interval is over.
    compute.patch_server("reclaimed", {"softDeleted": True})
    compute.wait_status("reclaimed", "SOFT_DELETED", timeout=60)
    _halted_and_kept(compute, "reclaimed")
    compute.wait_gone("reclaimed", timeout=90)
    assert compute.vm("reclaimed") is None
    kept = record(compute, uids["reclaimed"])
    assert kept is not None
    assert [a["action"] for a in kept["spec"]["actions"]] == ["create", "delete", "delete"]
    assert "Reclaimed" in compute.events_for("reclaimed")

    # The restored server stayed.
    assert compute.server("restored")["status"]["status"] == "ACTIVE"
