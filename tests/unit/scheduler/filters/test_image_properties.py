"""ImagePropertiesFilter matches the image's arch/hypervisor/vm mode against the Node's label."""

from __future__ import annotations

import pytest

from kubenova.scheduler.filters.base import HostFilter
from kubenova.scheduler.filters.image_properties import ImagePropertiesFilter
from tests.unit.scheduler.factories import make_host, make_spec

AMD64 = {"kubernetes.io/arch": "amd64"}
ARM64 = {"kubernetes.io/arch": "arm64"}


@pytest.mark.parametrize(
    ("labels", "properties", "passes"),
    [
        (AMD64, {}, True),
        ({}, {}, True),
        ({}, {"os_distro": "ubuntu"}, True),
        (AMD64, {"hw_architecture": "x86_64"}, True),
        (AMD64, {"architecture": "X86_64"}, True),
        (AMD64, {"hw_architecture": "amd64"}, True),
        (ARM64, {"hw_architecture": "aarch64"}, True),
        (ARM64, {"hw_architecture": "x86_64"}, False),
        (AMD64, {"hw_architecture": "aarch64"}, False),
        ({}, {"hw_architecture": "x86_64"}, False),
        (AMD64, {"img_hv_type": "kvm"}, True),
        (AMD64, {"hypervisor_type": "QEMU"}, True),
        (AMD64, {"img_hv_type": "xen"}, False),
        (AMD64, {"img_hv_type": "xapi"}, False),
        (AMD64, {"hw_vm_mode": "hvm"}, True),
        (AMD64, {"vm_mode": "hv"}, True),
        (AMD64, {"hw_vm_mode": "xen"}, False),
        (AMD64, {"hw_architecture": "x86_64", "img_hv_type": "qemu", "hw_vm_mode": "hvm"}, True),
        (AMD64, {"img_hv_requested_version": ">=99.0"}, True),
    ],
)
def test_image_properties_against_the_host(
    labels: dict[str, str], properties: dict[str, str], passes: bool
) -> None:
    host = make_host(labels=labels)
    assert ImagePropertiesFilter().host_passes(host, make_spec(image_properties=properties)) is passes


def test_the_reason_names_what_the_image_asks_and_what_the_host_runs() -> None:
    host = make_host(labels=ARM64)
    reason = ImagePropertiesFilter().rejection(
        host, make_spec(image_properties={"hw_architecture": "x86_64"})
    )
    assert reason is not None
    assert "x86_64" in reason
    assert "aarch64" in reason
    unlabelled = ImagePropertiesFilter().rejection(
        make_host(), make_spec(image_properties={"architecture": "x86_64"})
    )
    assert unlabelled is not None
    assert "kubernetes.io/arch" in unlabelled


def test_it_is_a_named_filter() -> None:
    assert isinstance(ImagePropertiesFilter(), HostFilter)
    assert ImagePropertiesFilter.name == "ImagePropertiesFilter"
