"""Nova's image and tenant filters on the real control plane with the simulator's Nodes.

ImagePropertiesFilter (on by default) reads the Node's ``kubernetes.io/arch`` label; an
AggregateMultiTenancyIsolation run enables it through ``KUBENOVA_ENABLED_FILTERS`` (off by
default, as in Nova) on a restarted operator. What is asserted is where the VMI runs, and for a
refusal the NoValidHost details naming the filter with no VM made.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kubenova.scheduler.config import DEFAULT_FILTERS
from tests.fixtures.operator import OperatorHandle
from tests.fixtures.simulator import FAIL_VMIS_ANNOTATION, ManagedNodeFactory
from tests.integration.compute import Compute, unique

pytestmark = pytest.mark.cluster

BUILD_TIMEOUT = 90.0
ARCH = "kubernetes.io/arch"


def node(managed_node: ManagedNodeFactory, arch: str | None = None) -> str:
    return managed_node(unique("flt"), cpu="4", memory="16Gi", labels={ARCH: arch} if arch else None)


def zone_of(compute: Compute, hosts: list[str], **metadata: str) -> str:
    zone = unique("az-flt")
    compute.aggregate(zone=zone, hosts=hosts, metadata={"cpu_allocation_ratio": "1.0", **metadata})
    return zone


def runs_on(compute: Compute, name: str) -> str:
    server = compute.wait_status(name, "ACTIVE", timeout=BUILD_TIMEOUT)
    vmi = compute.vmi(name)
    assert vmi is not None
    assert vmi["status"]["nodeName"] == server["status"]["host"]
    return str(server["status"]["host"])


def refused(compute: Compute, name: str) -> str:
    server = compute.wait_status(name, "ERROR", timeout=BUILD_TIMEOUT)
    fault = server["status"]["fault"]
    assert fault["message"] == "No valid host was found."
    assert server["status"].get("host") is None
    assert compute.vm(name) is None
    return str(fault["details"])


def test_image_architecture_follows_the_node_arch_label(
    managed_node: ManagedNodeFactory, compute: Compute
) -> None:
    x86, arm = node(managed_node, "amd64"), node(managed_node, "arm64")
    zone = zone_of(compute, [x86, arm])
    flavor = compute.flavor(vcpus=1, ram=128, disk=1)

    # Two aarch64 servers: without the filter the second would spread to the emptier x86 Node.
    arm_image = compute.image(properties={"hw_architecture": "aarch64"})
    for name in ("arm-1", "arm-2"):
        compute.create_server(name, flavor=flavor, image=arm_image, availabilityZone=zone)
        assert runs_on(compute, name) == arm
    x86_image = compute.image(properties={"hw_architecture": "x86_64"})
    compute.create_server("x86-1", flavor=flavor, image=x86_image, availabilityZone=zone)
    assert runs_on(compute, "x86-1") == x86

    legacy = compute.image(properties={"architecture": "s390x"})
    compute.create_server("s390x-img", flavor=flavor, image=legacy, availabilityZone=zone)
    assert "ImagePropertiesFilter: (start: 2, end: 0)" in refused(compute, "s390x-img")


@pytest.fixture
def tenant_isolation(operator: OperatorHandle) -> Iterator[None]:
    """The operator restarted with AggregateMultiTenancyIsolation enabled, restored afterwards."""
    enabled = ",".join((*DEFAULT_FILTERS, "AggregateMultiTenancyIsolation"))
    with operator.configured({"KUBENOVA_ENABLED_FILTERS": enabled}):
        yield


@pytest.mark.usefixtures("tenant_isolation")
def test_aggregates_reserved_for_other_projects_refuse_and_own_ones_take(
    managed_node: ManagedNodeFactory, compute: Compute
) -> None:
    theirs, ours = node(managed_node), node(managed_node)
    closed = zone_of(compute, [theirs], filter_tenant_id="someone-else")
    open_zone = zone_of(
        compute, [ours], filter_tenant_id="someone-else", filter_tenant_id_2=f"x, {compute.namespace}"
    )
    flavor, image = compute.flavor(vcpus=1, ram=128, disk=1), compute.image()

    compute.create_server("tenant-ok", flavor=flavor, image=image, availabilityZone=open_zone)
    assert runs_on(compute, "tenant-ok") == ours
    compute.create_server("tenant-no", flavor=flavor, image=image, availabilityZone=closed)
    assert "AggregateMultiTenancyIsolation: (start: 1, end: 0)" in refused(compute, "tenant-no")


def test_a_host_where_a_build_failed_is_avoided_also_after_an_operator_restart(
    managed_node: ManagedNodeFactory, compute: Compute, operator: OperatorHandle
) -> None:
    """BuildFailureWeigher (on by default): the failing Node is the bigger one, so the resource
    weighers alone would send the second server there too."""
    failing = managed_node(unique("flt"), cpu="8", memory="32Gi", annotations={FAIL_VMIS_ANNOTATION: "true"})
    healthy = node(managed_node)
    zone = zone_of(compute, [failing, healthy])
    flavor, image = compute.flavor(vcpus=1, ram=128, disk=1), compute.image()

    compute.create_server("fails", flavor=flavor, image=image, availabilityZone=zone)
    server = compute.wait_status("fails", "ERROR", timeout=BUILD_TIMEOUT)
    assert server["status"]["host"] == failing
    operator.stop()  # the count is derived from the Servers, not kept in memory
    operator.start()
    compute.create_server("avoids", flavor=flavor, image=image, availabilityZone=zone)
    assert runs_on(compute, "avoids") == healthy
