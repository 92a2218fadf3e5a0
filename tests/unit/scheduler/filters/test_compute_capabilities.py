"""ComputeCapabilitiesFilter matches ``capabilities:`` extra specs against host facts."""

from __future__ import annotations

import pytest

from kubenova.scheduler.filters.compute_capabilities import ComputeCapabilitiesFilter
from tests.unit.scheduler.factories import make_host, make_spec


@pytest.mark.parametrize(
    ("extra_specs", "passes"),
    [
        ({}, True),
        ({"hw:cpu_policy": "dedicated", "aggregate_instance_extra_specs:ssd": "true"}, True),
        ({"capabilities:hypervisor_type": "QEMU"}, True),
        ({"capabilities:hypervisor_type": "s== QEMU"}, True),
        ({"capabilities:hypervisor_type": "xen"}, False),
        ({"capabilities:cpu_info:arch": "x86_64"}, True),
        ({"capabilities:cpu_info:arch": "aarch64"}, False),
        ({"capabilities:vcpus": ">= 8"}, True),
        ({"capabilities:vcpus": ">= 16"}, False),
        ({"capabilities:hypervisor_hostname": "host1"}, True),
        ({"capabilities:no_such_fact": "1"}, False),
        ({"capabilities:cpu_info:model": "Haswell"}, False),
        ({"hypervisor_type": "xen"}, False),
        ({"unknown_unscoped": "x"}, True),
    ],
)
def test_capabilities_extra_specs(extra_specs: dict[str, str], passes: bool) -> None:
    host = make_host(labels={"kubernetes.io/arch": "amd64"})
    assert ComputeCapabilitiesFilter().host_passes(host, make_spec(flavor_extra_specs=extra_specs)) is passes


def test_the_reason_names_the_capability() -> None:
    host = make_host(labels={"kubernetes.io/arch": "amd64"})
    spec = make_spec(flavor_extra_specs={"capabilities:cpu_info:arch": "aarch64"})
    reason = ComputeCapabilitiesFilter().rejection(host, spec)
    assert reason is not None
    assert "cpu_info:arch" in reason
    assert "x86_64" in reason
