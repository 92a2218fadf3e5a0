"""Flavor extra specs and image properties reach the VirtualMachine (and the VMI KubeVirt starts
from it); a combination Nova refuses ends the build in ERROR with Nova's message and no VM."""

from __future__ import annotations

import pytest

from tests.integration.compute import Compute

pytestmark = pytest.mark.cluster

SPECS = {
    "hw:cpu_sockets": "2",
    "hw:cpu_policy": "dedicated",
    "hw:mem_page_size": "2MB",
    "hw:watchdog_action": "poweroff",
}
PROPERTIES = {
    "hw_disk_bus": "scsi",
    "hw_vif_model": "e1000",
    "hw_firmware_type": "uefi",
    "hw_machine_type": "q35",
}


def test_extra_specs_and_image_properties_shape_the_vm_and_vmi(compute: Compute) -> None:
    flavor = compute.flavor(vcpus=4, ram=256, extraSpecs=SPECS)
    image = compute.image(properties=PROPERTIES)
    compute.create_server("shaped", flavor=flavor, image=image)
    compute.wait_status("shaped", "ACTIVE")
    vm = compute.vm("shaped")
    vmi = compute.vmi("shaped")
    assert vm is not None
    assert vmi is not None
    for spec in (vm["spec"]["template"]["spec"], vmi["spec"]):
        domain = spec["domain"]
        assert domain["cpu"]["sockets"] * domain["cpu"]["cores"] * domain["cpu"]["threads"] == 4
        assert (domain["cpu"]["sockets"], domain["cpu"]["cores"]) == (2, 2)
        assert domain["cpu"]["dedicatedCpuPlacement"] is True
        assert domain["memory"]["hugepages"] == {"pageSize": "2Mi"}
        assert domain["firmware"]["bootloader"] == {"efi": {"secureBoot": False}}
        assert domain["machine"] == {"type": "q35"}
        buses = {d["name"]: d["disk"]["bus"] for d in domain["devices"]["disks"]}
        assert buses["rootdisk"] == "scsi"
        assert domain["devices"]["interfaces"][0]["model"] == "e1000"
        assert domain["devices"]["watchdog"]["i6300esb"] == {"action": "poweroff"}


def test_a_combination_nova_refuses_ends_in_error_without_a_vm(compute: Compute) -> None:
    flavor = compute.flavor(extraSpecs={"hw:cpu_policy": "shared"})
    image = compute.image(properties={"hw_cpu_policy": "dedicated"})
    compute.create_server("refused", flavor=flavor, image=image)
    server = compute.wait_status("refused", "ERROR", timeout=30)
    assert server["status"]["fault"]["message"] == (
        "Image property 'hw_cpu_policy' is not permitted to override CPU pinning policy set "
        "against the flavor"
    )
    assert compute.vm("refused") is None
