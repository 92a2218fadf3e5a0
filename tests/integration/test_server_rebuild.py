"""Rebuild through the Server's spec (the kubectl path): the VM is halted, its root DataVolume
deleted and re-created by virt-controller from the patched template (the new image), and the VM
started again on the same host; a stopped server stays stopped; ``preserveEphemeral`` keeps the
ephemeral disk; a failed import of the new image ends in ERROR; an operator SIGKILLed in the
middle still finishes the rebuild."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import ManagedNodeFactory
from tests.integration.compute import Compute, unique
from tests.support.storage import Storage, controller_uid, phase, uid
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster


def rebuilt(compute: Compute, name: str, request_id: str, status: str, timeout: float = 60) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        server = compute.server(name)
        s = server["status"]
        finished = [a for a in s.get("actions", []) if a["action"] == "rebuild" and a.get("finishTime")]
        if s.get("handledRebuild") == request_id and s.get("status") == status and finished:
            return server
        return None

    return wait_for(done, timeout=timeout, message=f"rebuild {request_id} → {status}")


def test_rebuild_recreates_the_root_disk_from_the_new_image_on_the_same_host(
    compute: Compute, storage: Storage
) -> None:
    flavor = compute.flavor(disk=1, ephemeral=1)
    compute.create_server("rb", flavor=flavor, image=compute.image(), name="before")
    before = compute.wait_status("rb", "ACTIVE")
    root, ephemeral, vmi = storage.dv("rb-root"), storage.dv("rb-ephemeral0"), compute.vmi("rb")
    old_root_uid, old_eph_uid, old_vmi_uid = uid(root), uid(ephemeral), uid(vmi)
    new_image = compute.image(volumeSource={"http": {"url": "https://images.example/new.img"}})
    new_image_id = compute.get_cluster_object("images", new_image)["metadata"]["uid"]

    compute.patch_server("rb", {"image": new_image, "name": "after", "rebuild": {"requestId": "req-rb-1"}})
    server = rebuilt(compute, "rb", "req-rb-1", "ACTIVE")

    assert server["metadata"]["uid"] == before["metadata"]["uid"]
    assert server["status"]["host"] == before["status"]["host"]
    assert server["status"]["imageId"] == new_image_id
    assert server["status"]["actions"][-1]["action"] == "rebuild"
    assert server["status"]["actions"][-1]["result"] == "Success"
    assert server["status"].get("task") is None
    assert server["status"]["addresses"]
    root = storage.dv("rb-root")
    assert uid(root) != old_root_uid
    assert root is not None
    assert root["spec"]["source"] == {"http": {"url": "https://images.example/new.img"}}
    assert phase(root) == "Succeeded"
    vm = compute.vm("rb")
    assert vm is not None
    assert controller_uid(root) == vm["metadata"]["uid"]
    assert vm["spec"]["runStrategy"] == "Always"
    pvc = storage.pvc("rb-root")
    assert pvc is not None
    assert controller_uid(pvc) == uid(root)  # a new claim, not the old one adopted
    assert uid(storage.dv("rb-ephemeral0")) != old_eph_uid  # not preserved: re-created blank
    vmi = compute.vmi("rb")
    assert vmi is not None
    assert uid(vmi) != old_vmi_uid
    assert vmi["status"]["phase"] == "Running"
    assert vmi["status"]["nodeName"] == before["status"]["host"]
    assert vmi["spec"]["hostname"] == "after"
    assert "Rebuilt" in compute.events_for("rb")


def test_a_rebuild_naming_an_image_applied_just_after_it_waits_for_the_image(
    compute: Compute, storage: Storage
) -> None:
    """``kubectl apply`` of a rebuild and of the Image it names, in either order: the operator waits
    for the Image on its view within the reference grace period (2 s here) instead of refusing."""
    compute.create_server("rbl", flavor=compute.flavor(disk=1), image=compute.image())
    compute.wait_status("rbl", "ACTIVE")
    old_root_uid = uid(storage.dv("rbl-root"))
    source = {"http": {"url": "https://images.example/late.img"}}

    rebuild = {"rebuild": {"requestId": "req-rbl"}}
    late = compute.patch_before_image("rbl", lambda image: {"image": image, **rebuild}, volumeSource=source)
    server = rebuilt(compute, "rbl", "req-rbl", "ACTIVE")

    assert server["status"].get("fault") is None
    assert server["status"]["imageId"] == compute.get_cluster_object("images", late)["metadata"]["uid"]
    root = storage.dv("rbl-root")
    assert root is not None
    assert uid(root) != old_root_uid
    assert root["spec"]["source"] == source
    assert (compute.vmi("rbl") or {})["status"]["phase"] == "Running"


def test_a_stopped_server_is_rebuilt_stopped_and_may_keep_its_ephemeral_disk(
    compute: Compute, storage: Storage
) -> None:
    flavor = compute.flavor(disk=1, ephemeral=1)
    compute.create_server("rbs", flavor=flavor, image=compute.image(), powerState="Stopped")
    compute.wait_status("rbs", "SHUTOFF")
    wait_for(lambda: phase(storage.dv("rbs-root")) == "Succeeded", timeout=30, message="root imported")
    old_root_uid, old_eph_uid = uid(storage.dv("rbs-root")), uid(storage.dv("rbs-ephemeral0"))

    compute.patch_server("rbs", {"rebuild": {"requestId": "req-rbs", "preserveEphemeral": True}})
    server = rebuilt(compute, "rbs", "req-rbs", "SHUTOFF")

    assert server["status"]["vmState"] == "stopped"
    assert uid(storage.dv("rbs-root")) != old_root_uid
    assert phase(storage.dv("rbs-root")) == "Succeeded"
    assert uid(storage.dv("rbs-ephemeral0")) == old_eph_uid
    assert compute.vmi("rbs") is None
    assert (compute.vm("rbs") or {})["spec"]["runStrategy"] == "Halted"


def test_a_failed_import_of_the_new_image_ends_in_error_with_a_fault(
    compute: Compute, storage: Storage
) -> None:
    compute.create_server("rbf", flavor=compute.flavor(), image=compute.image())
    compute.wait_status("rbf", "ACTIVE")
    bad = compute.image(volumeSource={"http": {"url": "http://images.invalid/bad.img"}})
    compute.patch_server("rbf", {"image": bad, "rebuild": {"requestId": "req-rbf"}})
    server = rebuilt(compute, "rbf", "req-rbf", "ERROR")
    assert server["status"]["fault"]["message"] == "DataVolumeError"
    assert "no such host" in server["status"]["fault"]["details"]
    assert server["status"]["actions"][-1]["result"] == "Error"
    assert compute.vmi("rbf") is None
    compute.wait_events("rbf", "RebuildFailed")


def test_a_rebuild_to_an_image_too_big_for_the_flavor_is_refused(compute: Compute) -> None:
    compute.create_server("rbr", flavor=compute.flavor(disk=1), image=compute.image())
    compute.wait_status("rbr", "ACTIVE")
    vmi_uid = uid(compute.vmi("rbr"))
    big = compute.image(minDisk=5)
    compute.patch_server("rbr", {"image": big, "rebuild": {"requestId": "req-rbr"}})
    wait_for(
        lambda: compute.server("rbr")["status"].get("handledRebuild") == "req-rbr",
        timeout=30,
        message="rebuild refused",
    )
    server = compute.server("rbr")
    assert server["status"]["status"] == "ACTIVE"
    assert server["status"]["actions"][-1]["action"] == "rebuild"
    assert server["status"]["actions"][-1]["result"] == "Error"
    assert uid(compute.vmi("rbr")) == vmi_uid


def test_an_operator_killed_in_the_middle_of_a_rebuild_finishes_it(
    compute: Compute, storage: Storage, operator: OperatorHandle
) -> None:
    compute.create_server("rbk", flavor=compute.flavor(disk=0), image=compute.image())
    compute.wait_status("rbk", "ACTIVE")
    old_root_uid = uid(storage.dv("rbk-root"))
    # A 160 GiB image at the simulated 8 GiB/s: the import takes about 20 s.
    slow = compute.image(virtualSize=160 * 1024**3)
    compute.patch_server("rbk", {"image": slow, "rebuild": {"requestId": "req-rbk"}})
    wait_for(
        lambda: (
            (dv := storage.dv("rbk-root")) is not None
            and dv["metadata"]["uid"] != old_root_uid
            and phase(dv) == "ImportInProgress"
        ),
        timeout=60,
        message="the new root disk importing",
    )
    assert compute.server("rbk")["status"]["taskState"] == "rebuild_spawning"
    operator.kill()
    operator.start()
    server = rebuilt(compute, "rbk", "req-rbk", "ACTIVE", timeout=90)
    assert [a["action"] for a in server["status"]["actions"]] == ["create", "rebuild"]
    assert uid(storage.dv("rbk-root")) != old_root_uid
    assert (compute.vmi("rbk") or {})["status"]["phase"] == "Running"


def test_a_new_image_the_host_cannot_run_is_refused_by_the_image_filter_and_nothing_changes(
    compute: Compute, storage: Storage, managed_node: ManagedNodeFactory
) -> None:
    """Nova's rebuild check: the new image through ImagePropertiesFilter on the server's host."""
    host = managed_node(unique("rbh"), cpu="4", memory="16Gi", labels={"kubernetes.io/arch": "amd64"})
    zone = unique("az-rbh")
    compute.aggregate(zone=zone, hosts=[host])
    x86 = compute.image(properties={"hw_architecture": "x86_64"})
    compute.create_server("rbh", flavor=compute.flavor(disk=1), image=x86, availabilityZone=zone)
    before = compute.wait_status("rbh", "ACTIVE")
    assert before["status"]["host"] == host
    vm, vmi, root = compute.vm("rbh"), compute.vmi("rbh"), storage.dv("rbh-root")
    vm_uid, vmi_uid, root_uid = uid(vm), uid(vmi), uid(root)

    arm = compute.image(properties={"hw_architecture": "aarch64"})
    compute.patch_server("rbh", {"image": arm, "rebuild": {"requestId": "req-rbh-arm"}})
    server = rebuilt(compute, "rbh", "req-rbh-arm", "ERROR")

    fault = server["status"]["fault"]
    assert fault["message"] == "No valid host was found."
    assert "ImagePropertiesFilter: (start: 1, end: 0)" in fault["details"]
    assert server["status"]["actions"][-1]["action"] == "rebuild"
    assert server["status"]["actions"][-1]["result"] == "Error"
    assert server["status"].get("taskState") is None
    assert server["status"]["imageId"] == before["status"]["imageId"]
    assert server["status"]["host"] == host
    vm_after, vmi_after, root_after = compute.vm("rbh"), compute.vmi("rbh"), storage.dv("rbh-root")
    assert (uid(vm_after), uid(vmi_after), uid(root_after)) == (vm_uid, vmi_uid, root_uid)
    assert (vm_after or {})["spec"]["runStrategy"] == "Always"
    assert (vmi_after or {})["status"]["phase"] == "Running"
    assert (root_after or {}).get("metadata", {}).get("deletionTimestamp") is None

    x86_new = compute.image(
        properties={"hw_architecture": "x86_64"},
        volumeSource={"http": {"url": "https://images.example/x86-new.img"}},
    )
    compute.patch_server("rbh", {"image": x86_new, "rebuild": {"requestId": "req-rbh-x86"}})
    server = rebuilt(compute, "rbh", "req-rbh-x86", "ACTIVE")
    assert server["status"].get("fault") is None
    assert server["status"]["host"] == host
    root = storage.dv("rbh-root")
    assert uid(root) != root_uid
    assert (root or {})["spec"]["source"] == {"http": {"url": "https://images.example/x86-new.img"}}
    assert uid(compute.vm("rbh")) == vm_uid
    assert uid(compute.vmi("rbh")) != vmi_uid
