"""A server's disks on KubeVirt: the persistent root disk is a DataVolume from the VM's
``dataVolumeTemplates`` (PVC and PV bound by the simulated storage), kept across stop/start and
reboot and deleted with the server; the flavor's ephemeral and swap disks are blank DataVolumes;
``rootDisk: Ephemeral`` images boot their containerDisk; a failed import fails the build; an
operator killed during the import still finishes it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.operator import OperatorHandle
from tests.integration.compute import Compute
from tests.support.storage import Storage, controller_uid, phase
from tests.support.wait import wait_for

pytestmark = pytest.mark.cluster

CIRROS = "quay.io/kubevirt/cirros-container-disk-demo:v1.4.0"


def volumes(vmi: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in vmi["spec"]["volumes"]}


def test_root_ephemeral_and_swap_disks_persist_across_stop_start_and_reboot(
    compute: Compute, storage: Storage
) -> None:
    flavor = compute.flavor(disk=2, ephemeral=1, swap=256)
    image = compute.image()
    compute.create_server("disks", flavor=flavor, image=image)
    compute.wait_status("disks", "ACTIVE")
    vm = compute.vm("disks")
    assert vm is not None
    templates = {t["metadata"]["name"]: t["spec"] for t in vm["spec"]["dataVolumeTemplates"]}
    assert templates["disks-root"]["source"] == {"registry": {"url": f"docker://{CIRROS}"}}
    assert templates["disks-root"]["storage"] == {"resources": {"requests": {"storage": "2Gi"}}}
    assert templates["disks-ephemeral0"]["source"] == {"blank": {}}
    assert templates["disks-swap"]["storage"]["resources"]["requests"]["storage"] == "256Mi"
    vmi = compute.vmi("disks")
    assert vmi is not None
    assert {n: v.get("dataVolume") for n, v in volumes(vmi).items() if n != "cloudinitdisk"} == {
        "rootdisk": {"name": "disks-root"},
        "ephemeral0": {"name": "disks-ephemeral0"},
        "swap": {"name": "disks-swap"},
    }
    claims: dict[str, tuple[str, str]] = {}
    for name, size in (("disks-root", "2Gi"), ("disks-ephemeral0", "1Gi"), ("disks-swap", "256Mi")):
        dv, pvc = storage.dv(name), storage.pvc(name)
        assert dv is not None
        assert pvc is not None
        assert controller_uid(dv) == vm["metadata"]["uid"]
        assert phase(dv) == "Succeeded"
        assert controller_uid(pvc) == dv["metadata"]["uid"]
        assert (
            pvc["spec"]["storageClassName"] == "kubevirt-simulator"
        )  # KUBENOVA_STORAGE_CLASS empty: default
        assert (phase(pvc), pvc["status"]["capacity"]["storage"]) == ("Bound", size)
        pv = storage.pv(pvc["spec"]["volumeName"])
        assert pv is not None
        assert phase(pv) == "Bound"
        claims[name] = (dv["metadata"]["uid"], pvc["metadata"]["uid"])

    compute.patch_server("disks", {"powerState": "Stopped"})
    compute.wait_status("disks", "SHUTOFF")
    compute.patch_server("disks", {"powerState": "Running"})
    compute.wait_status("disks", "ACTIVE")
    before = compute.vmi("disks")
    assert before is not None
    compute.patch_server("disks", {"reboot": {"type": "HARD", "requestId": "req-disk-reboot"}})
    wait_for(
        lambda: (
            compute.server("disks")["status"].get("handledReboot") == "req-disk-reboot"
            and compute.server("disks")["status"]["status"] == "ACTIVE"
        ),
        timeout=30,
        message="reboot handled",
    )
    after = compute.vmi("disks")
    assert after is not None
    assert after["metadata"]["uid"] != before["metadata"]["uid"]
    assert volumes(after)["rootdisk"]["dataVolume"] == {"name": "disks-root"}
    for name, (dv_uid, pvc_uid) in claims.items():
        dv, pvc = storage.dv(name), storage.pvc(name)
        assert dv is not None
        assert pvc is not None
        assert (dv["metadata"]["uid"], pvc["metadata"]["uid"]) == (dv_uid, pvc_uid), f"{name} was re-created"
        assert (phase(dv), dv["status"].get("restartCount")) == ("Succeeded", 0)  # imported once
    volume_names = {n: (storage.pvc(n) or {})["spec"]["volumeName"] for n in claims}

    compute.delete_server("disks")
    compute.wait_gone("disks")
    for name, volume in volume_names.items():
        wait_for(lambda n=name: storage.dv(n) is None, timeout=30, message=f"DataVolume {name} deleted")
        wait_for(lambda n=name: storage.pvc(n) is None, timeout=30, message=f"PVC {name} deleted")
        wait_for(lambda v=volume: storage.pv(v) is None, timeout=30, message=f"PV {volume} deleted")


def test_root_disk_sources_and_sizes_from_the_image(compute: Compute, storage: Storage) -> None:
    sized = compute.image(
        virtualSize=3 * 1024**3, volumeSource={"http": {"url": "https://images.example/c.img"}}
    )
    compute.create_server("http-root", flavor=compute.flavor(disk=0), image=sized)
    compute.wait_status("http-root", "ACTIVE")
    dv = storage.dv("http-root-root")
    assert dv is not None
    assert dv["spec"]["source"] == {"http": {"url": "https://images.example/c.img"}}
    assert (
        dv["spec"]["storage"]["resources"]["requests"]["storage"] == "3Gi"
    )  # disk-0 flavor: the image's size
    pvc = storage.pvc("http-root-root")
    assert pvc is not None
    assert pvc["metadata"]["annotations"]["cdi.kubevirt.io/storage.import.endpoint"] == (
        "https://images.example/c.img"
    )


def test_ephemeral_images_boot_their_container_disk(compute: Compute, storage: Storage) -> None:
    image = compute.image(rootDisk="Ephemeral")
    compute.create_server("eph", flavor=compute.flavor(), image=image)
    compute.wait_status("eph", "ACTIVE")
    vm = compute.vm("eph")
    vmi = compute.vmi("eph")
    assert vm is not None
    assert vmi is not None
    assert vm["spec"].get("dataVolumeTemplates", []) == []
    assert volumes(vmi)["rootdisk"]["containerDisk"]["image"] == CIRROS
    assert storage.dv("eph-root") is None


def test_a_failed_import_fails_the_build_with_a_fault_and_an_event(
    compute: Compute, storage: Storage
) -> None:
    image = compute.image(volumeSource={"http": {"url": "http://images.invalid/cirros.img"}})
    compute.create_server("bad-disk", flavor=compute.flavor(), image=image)
    server = compute.wait_status("bad-disk", "ERROR")
    fault = server["status"]["fault"]
    assert fault["message"] == "DataVolumeError"
    assert "no such host" in fault["details"]
    assert server["status"]["actions"][-1]["result"] == "Error"
    compute.wait_events("bad-disk", "Failed")
    dv = storage.dv("bad-disk-root")
    assert dv is not None
    assert phase(dv) == "ImportInProgress"
    running = next(c for c in dv["status"]["conditions"] if c["type"] == "Running")
    assert (running["status"], running["reason"]) == ("False", "Error")
    assert compute.vmi("bad-disk") is None  # KubeVirt does not start a VM whose disk failed


def test_an_operator_killed_during_the_import_reports_progress_and_finishes_the_build(
    compute: Compute, storage: Storage, operator: OperatorHandle
) -> None:
    # A disk-0 flavor and a 160 GiB image: the simulated import (8 GiB/s) takes about 20 s.
    image = compute.image(virtualSize=160 * 1024**3)
    compute.create_server("slow-disk", flavor=compute.flavor(disk=0), image=image)
    wait_for(
        lambda: phase(storage.dv("slow-disk-root")) == "ImportInProgress",
        timeout=30,
        message="import under way",
    )
    dv_uid = (storage.dv("slow-disk-root") or {})["metadata"]["uid"]
    operator.kill()
    operator.start()
    building = wait_for(
        lambda: (
            (s := compute.server("slow-disk"))["status"]["status"] == "BUILD"
            and 0 < (s["status"].get("progress") or 0) < 100
            and s
        ),
        timeout=30,
        message="build progress from the import",
    )
    assert building["status"]["taskState"] == "spawning"
    done = compute.wait_status("slow-disk", "ACTIVE", timeout=60)
    assert done["status"]["progress"] == 100
    assert [a["action"] for a in done["status"]["actions"]] == ["create"]
    assert (storage.dv("slow-disk-root") or {})["metadata"]["uid"] == dv_uid
