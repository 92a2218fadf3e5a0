"""Rescue and unrescue through the Server's spec (the kubectl path): the VM is halted, its
template given a rescue disk (a new DataVolume ``<vm>-rescue`` imported from the rescue image)
first with ``bootOrder: 1`` and the root DataVolume second, and started: RESCUE. An unrescue halts
it, restores its template, deletes the rescue DataVolume and starts it: ACTIVE. A stopped server
can be rescued; a rescue disk that cannot be imported ends in ERROR with the VM given back its own
disks (and a later rescue from ERROR works); a refused request leaves the server as it was; an
operator SIGKILLed in the middle of a rescue or an unrescue, or down when one is written, still
carries it out."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.integration.compute import Compute
from tests.support.storage import Storage, controller_uid, phase, uid
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster


def handled(
    compute: Compute, name: str, action: str, request_id: str, status: str, *, timeout: float = 60
) -> Any:
    def done() -> dict[str, Any] | None:
        server = compute.server(name)
        s = server["status"]
        finished = [
            a
            for a in s.get("actions", [])
            if a["action"] == action and a["requestId"] == request_id and a.get("finishTime")
        ]
        if s.get("handledRescue") == request_id and s.get("status") == status and finished:
            return server
        return None

    return wait_for(done, timeout=timeout, message=f"{action} {request_id} → {status}")


def disks(vm: dict[str, Any] | None) -> list[tuple[str, int | None]]:
    assert vm is not None
    return [
        (d["name"], d.get("bootOrder")) for d in vm["spec"]["template"]["spec"]["domain"]["devices"]["disks"]
    ]


def volumes(vm: dict[str, Any] | None) -> dict[str, Any]:
    assert vm is not None
    return {v["name"]: v for v in vm["spec"]["template"]["spec"]["volumes"]}


def templates(vm: dict[str, Any] | None) -> list[str]:
    assert vm is not None
    return [t["metadata"]["name"] for t in vm["spec"].get("dataVolumeTemplates", [])]


OWN_DISKS = [("rootdisk", 1), ("cloudinitdisk", None)]
RESCUE_DISKS = [("rescuedisk", 1), ("rootdisk", None), ("cloudinitdisk", None)]


def assert_rescued(
    compute: Compute, storage: Storage, name: str, *, root_uid: str, source: dict[str, Any]
) -> None:
    vm = compute.vm(name)
    assert disks(vm) == RESCUE_DISKS
    assert volumes(vm)["rescuedisk"]["dataVolume"] == {"name": f"{name}-rescue"}
    assert volumes(vm)["rootdisk"]["dataVolume"] == {"name": f"{name}-root"}
    assert templates(vm) == [f"{name}-root", f"{name}-rescue"]
    assert (vm or {})["spec"]["runStrategy"] == "Always"
    rescue_dv = storage.dv(f"{name}-rescue")
    assert rescue_dv is not None
    assert rescue_dv["spec"]["source"] == source
    assert phase(rescue_dv) == "Succeeded"
    assert controller_uid(rescue_dv) == uid(vm)
    assert uid(storage.dv(f"{name}-root")) == root_uid  # the root disk is kept, attached second
    vmi = compute.vmi(name)
    assert vmi is not None
    assert vmi["status"]["phase"] == "Running"
    assert [d["name"] for d in vmi["spec"]["domain"]["devices"]["disks"]][:2] == ["rescuedisk", "rootdisk"]


def test_rescue_boots_the_rescue_disk_first_and_unrescue_restores_the_vm(
    compute: Compute, storage: Storage
) -> None:
    compute.create_server("rs", flavor=compute.flavor(disk=1), image=compute.image())
    before = compute.wait_status("rs", "ACTIVE")
    root_uid, vmi_uid = uid(storage.dv("rs-root")), uid(compute.vmi("rs"))
    original = compute.vm("rs")
    assert disks(original) == OWN_DISKS
    root_source = (storage.dv("rs-root") or {})["spec"]["source"]

    compute.patch_server("rs", {"rescue": {"requestId": "req-rs-1", "state": "Rescued"}})
    server = handled(compute, "rs", "rescue", "req-rs-1", "RESCUE")

    assert (server["status"]["vmState"], server["status"].get("taskState")) == ("rescued", None)
    assert server["status"]["powerState"] == "Running"
    assert server["status"]["host"] == before["status"]["host"]
    assert server["status"].get("task") is None
    assert server["status"]["actions"][-1]["result"] == "Success"
    assert server["status"]["addresses"]
    assert_rescued(compute, storage, "rs", root_uid=root_uid, source=root_source)  # its own image
    assert uid(compute.vmi("rs")) != vmi_uid
    assert "Rescued" in compute.events_for("rs")

    rescued_vmi_uid = uid(compute.vmi("rs"))
    compute.patch_server("rs", {"rescue": {"requestId": "req-rs-2", "state": "Unrescued"}})
    server = handled(compute, "rs", "unrescue", "req-rs-2", "ACTIVE")

    assert server["status"]["vmState"] == "active"
    assert [a["action"] for a in server["status"]["actions"]] == ["create", "rescue", "unrescue"]
    vm = compute.vm("rs")
    assert disks(vm) == OWN_DISKS
    assert "rescuedisk" not in volumes(vm)
    assert templates(vm) == ["rs-root"]
    assert vm is not None
    assert vm["spec"]["template"] == (original or {})["spec"]["template"]
    assert storage.dv("rs-rescue") is None
    assert uid(storage.dv("rs-root")) == root_uid
    vmi = compute.vmi("rs")
    assert vmi is not None
    assert uid(vmi) != rescued_vmi_uid
    assert vmi["status"]["phase"] == "Running"
    compute.wait_events("rs", "Unrescued")


def test_a_stopped_server_is_rescued_running_from_another_image(compute: Compute, storage: Storage) -> None:
    compute.create_server("rss", flavor=compute.flavor(disk=1), image=compute.image(), powerState="Stopped")
    compute.wait_status("rss", "SHUTOFF")
    wait_for(lambda: phase(storage.dv("rss-root")) == "Succeeded", timeout=30, message="root imported")
    root_uid = uid(storage.dv("rss-root"))
    source = {"http": {"url": "https://images.example/rescue.img"}}
    rescue_image = compute.image(volumeSource=source)

    compute.patch_server(
        "rss", {"rescue": {"requestId": "req-rss", "state": "Rescued", "image": rescue_image}}
    )
    server = handled(compute, "rss", "rescue", "req-rss", "RESCUE")

    assert server["status"]["powerState"] == "Running"
    assert_rescued(compute, storage, "rss", root_uid=root_uid, source=source)
    # Unrescued with powerState Running (what the gateway writes): ACTIVE, as Nova leaves it.
    compute.patch_server(
        "rss", {"powerState": "Running", "rescue": {"requestId": "req-rss-2", "state": "Unrescued"}}
    )
    handled(compute, "rss", "unrescue", "req-rss-2", "ACTIVE")
    assert disks(compute.vm("rss")) == OWN_DISKS
    assert storage.dv("rss-rescue") is None
    assert (compute.vmi("rss") or {})["status"]["phase"] == "Running"


def test_a_rescue_naming_an_image_applied_just_after_it_waits_for_the_image(
    compute: Compute, storage: Storage
) -> None:
    """``kubectl apply`` of a rescue and of the Image it names, in either order: the operator waits
    for the Image on its view within the reference grace period (2 s here) instead of refusing."""
    compute.create_server("rsl", flavor=compute.flavor(disk=1), image=compute.image())
    compute.wait_status("rsl", "ACTIVE")
    root_uid = uid(storage.dv("rsl-root"))
    source = {"http": {"url": "https://images.example/late-rescue.img"}}

    rescue = {"requestId": "req-rsl", "state": "Rescued"}
    compute.patch_before_image(
        "rsl", lambda image: {"rescue": {**rescue, "image": image}}, volumeSource=source
    )
    server = handled(compute, "rsl", "rescue", "req-rsl", "RESCUE")

    assert server["status"].get("fault") is None
    assert_rescued(compute, storage, "rsl", root_uid=root_uid, source=source)


def test_a_rescue_disk_that_cannot_be_imported_ends_in_error_with_the_own_disks_back(
    compute: Compute, storage: Storage
) -> None:
    compute.create_server("rsf", flavor=compute.flavor(disk=1), image=compute.image())
    compute.wait_status("rsf", "ACTIVE")
    root_uid = uid(storage.dv("rsf-root"))
    bad = compute.image(volumeSource={"http": {"url": "http://images.invalid/rescue.img"}})

    compute.patch_server("rsf", {"rescue": {"requestId": "req-rsf", "state": "Rescued", "image": bad}})
    server = handled(compute, "rsf", "rescue", "req-rsf", "ERROR")

    fault = server["status"]["fault"]
    assert fault["message"] == "Driver Error: the rescue disk could not be imported."
    assert "no such host" in fault["details"]
    assert server["status"]["actions"][-1]["result"] == "Error"
    vm = compute.vm("rsf")
    assert disks(vm) == OWN_DISKS
    assert templates(vm) == ["rsf-root"]
    assert (vm or {})["spec"]["runStrategy"] == "Halted"
    wait_for(lambda: storage.dv("rsf-rescue") is None, timeout=30, message="rescue DataVolume deleted")
    assert uid(storage.dv("rsf-root")) == root_uid
    assert compute.vmi("rsf") is None
    compute.wait_events("rsf", "RescueFailed")

    # Nova allows a rescue from ERROR: one with an image that imports brings the server up rescued.
    source = {"http": {"url": "https://images.example/good-rescue.img"}}
    good = compute.image(volumeSource=source)
    compute.patch_server("rsf", {"rescue": {"requestId": "req-rsf-2", "state": "Rescued", "image": good}})
    server = handled(compute, "rsf", "rescue", "req-rsf-2", "RESCUE")
    assert server["status"].get("fault") is None
    assert_rescued(compute, storage, "rsf", root_uid=root_uid, source=source)


def test_a_request_the_state_refuses_leaves_the_server_as_it_was(compute: Compute) -> None:
    compute.create_server("rsr", flavor=compute.flavor(), image=compute.image())
    compute.wait_status("rsr", "ACTIVE")
    vmi_uid = uid(compute.vmi("rsr"))
    compute.patch_server("rsr", {"rescue": {"requestId": "req-rsr", "state": "Unrescued"}})
    server = handled(compute, "rsr", "unrescue", "req-rsr", "ACTIVE")
    assert server["status"]["actions"][-1]["result"] == "Error"
    assert "while it is in vm_state active" in server["status"]["actions"][-1]["message"]
    assert uid(compute.vmi("rsr")) == vmi_uid
    assert disks(compute.vm("rsr")) == OWN_DISKS


def test_an_operator_killed_in_the_middle_of_a_rescue_finishes_it(
    compute: Compute, storage: Storage, operator: OperatorHandle
) -> None:
    compute.create_server("rsk", flavor=compute.flavor(disk=0), image=compute.image())
    compute.wait_status("rsk", "ACTIVE")
    root_uid = uid(storage.dv("rsk-root"))
    # A 160 GiB image at the simulated 8 GiB/s: the rescue disk's import takes about 20 s.
    slow = compute.image(virtualSize=160 * 1024**3)
    compute.patch_server("rsk", {"rescue": {"requestId": "req-rsk", "state": "Rescued", "image": slow}})
    wait_for(
        lambda: phase(storage.dv("rsk-rescue")) == "ImportInProgress",
        timeout=60,
        message="the rescue disk importing",
    )
    assert compute.server("rsk")["status"]["taskState"] == "rescuing"
    operator.kill()
    operator.start()
    server = handled(compute, "rsk", "rescue", "req-rsk", "RESCUE", timeout=90)
    assert [a["action"] for a in server["status"]["actions"]] == ["create", "rescue"]
    assert disks(compute.vm("rsk")) == RESCUE_DISKS
    assert uid(storage.dv("rsk-root")) == root_uid
    assert (compute.vmi("rsk") or {})["status"]["phase"] == "Running"


def test_a_rescue_written_while_the_operator_is_down_and_an_unrescue_killed_midway_are_carried_out(
    compute: Compute, storage: Storage, operator: OperatorHandle
) -> None:
    compute.create_server("rsd", flavor=compute.flavor(disk=1), image=compute.image())
    compute.wait_status("rsd", "ACTIVE")
    original = compute.vm("rsd")
    operator.kill()
    compute.patch_server("rsd", {"rescue": {"requestId": "req-rsd-1", "state": "Rescued"}})
    operator.start()
    handled(compute, "rsd", "rescue", "req-rsd-1", "RESCUE")
    assert disks(compute.vm("rsd")) == RESCUE_DISKS

    compute.patch_server("rsd", {"rescue": {"requestId": "req-rsd-2", "state": "Unrescued"}})
    wait_for(
        lambda: (compute.vm("rsd") or {})["spec"].get("runStrategy") == "Halted",
        timeout=30,
        message="the VM halted for the unrescue",
    )
    operator.kill()  # somewhere between the halt and the restored template's start
    operator.start()
    server = handled(compute, "rsd", "unrescue", "req-rsd-2", "ACTIVE")
    assert [a["action"] for a in server["status"]["actions"]] == ["create", "rescue", "unrescue"]
    vm = compute.vm("rsd")
    assert vm is not None
    assert vm["spec"]["template"] == (original or {})["spec"]["template"]
    assert storage.dv("rsd-rescue") is None
    assert (compute.vmi("rsd") or {})["status"]["phase"] == "Running"
