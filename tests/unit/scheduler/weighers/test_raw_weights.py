"""Each weigher's raw value is the resource it is named for, after ratios and reservations."""

from __future__ import annotations

from kubenova.scheduler.weighers.cpu import CPUWeigher
from kubenova.scheduler.weighers.disk import DiskWeigher
from kubenova.scheduler.weighers.num_instances import NumInstancesWeigher
from kubenova.scheduler.weighers.ram import RAMWeigher
from tests.unit.scheduler.factories import make_host, make_spec

HOST = make_host(
    total_vcpus=8.0,
    used_vcpus=3,
    reserved_vcpus=1,
    cpu_allocation_ratio=2.0,
    total_memory_mb=16384,
    used_memory_mb=4096,
    reserved_memory_mb=1024,
    ram_allocation_ratio=1.5,
    total_disk_gb=100,
    used_disk_gb=30,
    reserved_disk_gb=10,
    disk_allocation_ratio=1.0,
    num_instances=3,
)


def test_ram_weigher_weighs_free_ram_mb() -> None:
    assert RAMWeigher().weigh_objects([HOST], make_spec()) == [(16384 - 1024) * 1.5 - 4096]


def test_cpu_weigher_weighs_free_vcpus() -> None:
    assert CPUWeigher().weigh_objects([HOST], make_spec()) == [(8 - 1) * 2.0 - 3]


def test_disk_weigher_weighs_free_disk_gb() -> None:
    assert DiskWeigher().weigh_objects([HOST], make_spec()) == [100 - 10 - 30]


def test_num_instances_weigher_weighs_the_server_count() -> None:
    assert NumInstancesWeigher().weigh_objects([HOST], make_spec()) == [3.0]


def test_resource_weighers_normalise_from_zero_like_nova() -> None:
    assert (RAMWeigher.minval, CPUWeigher.minval, DiskWeigher.minval) == (0.0, 0.0, 0.0)
    assert NumInstancesWeigher.minval is None
