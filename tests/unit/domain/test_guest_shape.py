"""Flavor extra specs and image properties → the guest shape, by Nova's rules and messages."""

from __future__ import annotations

import pytest

from kubenova.domain import guest_shape as g
from kubenova.domain.guest_shape import Topology


def shape(
    vcpus: int = 4, specs: dict[str, str] | None = None, props: dict[str, str] | None = None
) -> g.GuestShape:
    return g.shape(vcpus, specs or {}, props or {})


def refused(vcpus: int = 4, specs: dict[str, str] | None = None, props: dict[str, str] | None = None) -> str:
    with pytest.raises(g.GuestShapeError) as caught:
        g.shape(vcpus, specs or {}, props or {})
    return str(caught.value)


def test_nothing_asked_keeps_one_socket_of_all_vcpus() -> None:
    assert shape(4) == g.GuestShape(topology=Topology(1, 4, 1))


@pytest.mark.parametrize(
    ("vcpus", "specs", "props", "expected"),
    [
        (4, {"hw:cpu_sockets": "2"}, {}, Topology(2, 2, 1)),
        (8, {"hw:cpu_sockets": "2", "hw:cpu_cores": "2", "hw:cpu_threads": "2"}, {}, Topology(2, 2, 2)),
        (4, {"hw:cpu_threads": "2"}, {}, Topology(2, 1, 2)),
        # a preference that cannot multiply to vcpus: Nova's best topology, no error
        (4, {"hw:cpu_sockets": "3"}, {}, Topology(4, 1, 1)),
        (4, {"hw:cpu_max_sockets": "1"}, {}, Topology(1, 4, 1)),
        # the image's preference replaces the flavor's entirely
        (4, {"hw:cpu_sockets": "4"}, {"hw_cpu_cores": "4"}, Topology(1, 4, 1)),
        # image limits below the flavor's preference discard that preference
        (4, {"hw:cpu_sockets": "4"}, {"hw_cpu_max_sockets": "2"}, Topology(2, 2, 1)),
    ],
)
def test_cpu_topology(vcpus: int, specs: dict[str, str], props: dict[str, str], expected: Topology) -> None:
    assert shape(vcpus, specs, props).topology == expected


def test_image_limits_may_not_exceed_the_flavors() -> None:
    message = refused(4, {"hw:cpu_max_sockets": "2"}, {"hw_cpu_max_sockets": "4"})
    assert message == (
        "Image vCPU topology limits (sockets=4, cores=0, threads=0) exceeds the limits of the flavor "
        "(sockets=2, cores=0, threads=0)"
    )


def test_image_preference_may_not_exceed_the_limits() -> None:
    message = refused(4, {"hw:cpu_max_sockets": "2"}, {"hw_cpu_sockets": "4"})
    assert message == (
        "Image vCPU topology (sockets=4, cores=0, threads=0) exceeds the limits of the flavor or image "
        "(sockets=2, cores=65536, threads=65536)"
    )


def test_impossible_limits() -> None:
    message = refused(4, {"hw:cpu_max_sockets": "1", "hw:cpu_max_cores": "1", "hw:cpu_max_threads": "2"})
    assert message == "Requested vCPU limits 1:1:2 are impossible to satisfy for vcpus count 4"


def test_non_integer_topology_spec() -> None:
    assert refused(4, {"hw:cpu_sockets": "two"}).startswith("Invalid flavor extra spec. Error: ")


def test_cpu_policy_dedicated_from_flavor_or_image() -> None:
    assert shape(specs={"hw:cpu_policy": "dedicated"}).dedicated_cpus
    assert shape(props={"hw_cpu_policy": "dedicated"}).dedicated_cpus
    assert not shape(specs={"hw:cpu_policy": "shared"}).dedicated_cpus
    pinned = shape(specs={"hw:cpu_policy": "dedicated", "hw:emulator_threads_policy": "isolate"})
    assert pinned.isolate_emulator_thread


def test_image_may_not_override_the_flavors_cpu_policy() -> None:
    assert refused(specs={"hw:cpu_policy": "shared"}, props={"hw_cpu_policy": "dedicated"}) == (
        "Image property 'hw_cpu_policy' is not permitted to override CPU pinning policy set "
        "against the flavor"
    )


def test_mixed_cpu_policy_is_refused() -> None:
    assert "mixed" in refused(specs={"hw:cpu_policy": "mixed"})


@pytest.mark.parametrize(
    ("flavor", "image", "expected"),
    [
        ("2MB", None, "2Mi"),
        ("2048", None, "2Mi"),
        ("1GiB", None, "1Gi"),
        ("large", None, "2Mi"),
        ("small", None, None),
        ("any", None, None),
        ("4", None, None),
        ("any", "1GB", "1Gi"),
        ("large", "2048", "2Mi"),
    ],
)
def test_huge_pages(flavor: str, image: str | None, expected: str | None) -> None:
    props = {"hw_mem_page_size": image} if image else {}
    assert shape(specs={"hw:mem_page_size": flavor}, props=props).huge_page_size == expected


def test_image_page_size_needs_the_flavors_leave() -> None:
    assert refused(props={"hw_mem_page_size": "2MB"}) == "Page size 2MB forbidden against '<empty>'"
    message = refused(specs={"hw:mem_page_size": "small"}, props={"hw_mem_page_size": "2MB"})
    assert message == "Page size 2MB forbidden against 'small'"


def test_page_size_errors() -> None:
    assert refused(specs={"hw:mem_page_size": "huge"}) == "Invalid memory page size 'huge'"
    assert refused(specs={"hw:mem_page_size": "64"}) == "Page size 64 is not supported by the host."


def test_guest_numa_needs_dedicated_cpus_and_huge_pages() -> None:
    assert shape(
        specs={"hw:numa_nodes": "1", "hw:cpu_policy": "dedicated", "hw:mem_page_size": "2MB"}
    ).guest_numa
    assert not shape(specs={"hw:numa_nodes": "1", "hw:cpu_policy": "dedicated"}).guest_numa


def test_firmware_secure_boot_and_machine_type() -> None:
    uefi = shape(props={"hw_firmware_type": "uefi", "os_secure_boot": "required", "hw_machine_type": "q35"})
    assert (uefi.firmware, uefi.secure_boot, uefi.machine_type) == ("uefi", True, "q35")
    assert shape(specs={"os:secure_boot": "required"}, props={"hw_firmware_type": "uefi"}).secure_boot
    assert not shape(props={"os_secure_boot": "required"}).secure_boot  # secure boot is UEFI's
    assert shape(props={"hw_firmware_type": "bios"}).firmware == "bios"


def test_disk_bus_and_vif_model() -> None:
    picked = shape(props={"hw_disk_bus": "scsi", "hw_vif_model": "e1000"})
    assert (picked.disk_bus, picked.vif_model) == ("scsi", "e1000")
    assert refused(props={"hw_disk_bus": "ide"}) == (
        "Requested hardware 'ide' is not supported by the 'kubevirt' virt driver"
    )
    assert "vmxnet3" in refused(props={"hw_vif_model": "vmxnet3"})


def test_watchdog_flavor_wins_over_image() -> None:
    assert (
        shape(specs={"hw:watchdog_action": "reset"}, props={"hw_watchdog_action": "poweroff"}).watchdog_action
        == "reset"
    )
    assert shape(props={"hw_watchdog_action": "poweroff"}).watchdog_action == "poweroff"
    assert shape(specs={"hw:watchdog_action": "disabled"}).watchdog_action is None
    assert shape(specs={"hw:watchdog_action": "none"}).watchdog_action is None
    assert (
        refused(specs={"hw:watchdog_action": "pause"}) == "Provided watchdog action (pause) is not supported."
    )


def test_refusal_returns_the_message_or_none() -> None:
    assert g.refusal(2, {}, {}) is None
    assert g.refusal(2, {}, {"hw_disk_bus": "ide"}) is not None


def test_api_refusal_is_novas_api_time_subset() -> None:
    assert g.api_refusal(
        4, {"hw:cpu_max_sockets": "1", "hw:cpu_max_cores": "1", "hw:cpu_max_threads": "1"}, {}
    )
    assert g.api_refusal(4, {"hw:cpu_policy": "shared"}, {"hw_cpu_policy": "dedicated"})
    assert g.api_refusal(4, {}, {"hw_mem_page_size": "2MB"}) == "Page size 2MB forbidden against '<empty>'"
    # build-time refusals in Nova too (the libvirt driver's), not API ones
    assert g.api_refusal(4, {"hw:watchdog_action": "pause"}, {"hw_disk_bus": "ide"}) is None
    assert g.api_refusal(4, {"hw:cpu_policy": "mixed"}, {}) is None
