"""Address management: unique, stable, next-fit, restorable."""

from __future__ import annotations

import ipaddress
import threading

import pytest

from kubevirt_simulator.ipam import AddressPoolExhaustedError, IpAllocator, mac_for_address, mac_for_interface


def test_allocation_is_stable_per_owner_and_unique() -> None:
    pool = IpAllocator("10.244.0.0/16")
    first = pool.allocate("a")
    assert pool.allocate("a") == first
    second = pool.allocate("b")
    assert second != first
    assert pool.address_of("b") == second
    assert pool.in_use() == 2


def test_network_and_broadcast_addresses_are_never_used() -> None:
    pool = IpAllocator("192.168.0.0/30")
    assert pool.size == 2
    assert {pool.allocate("a"), pool.allocate("b")} == {"192.168.0.1", "192.168.0.2"}
    with pytest.raises(AddressPoolExhaustedError):
        pool.allocate("c")


def test_freed_addresses_are_reused_only_after_the_pool_wraps() -> None:
    pool = IpAllocator("10.0.0.0/29")  # 6 usable
    addresses = [pool.allocate(f"vmi-{i}") for i in range(3)]
    pool.release("vmi-0")
    fresh = pool.allocate("vmi-3")
    assert fresh not in addresses
    for i in range(4, 6):
        pool.allocate(f"vmi-{i}")
    assert pool.allocate("vmi-6") == addresses[0]  # wrapped around to the only free one


def test_restore_binds_existing_addresses_and_refuses_conflicts() -> None:
    pool = IpAllocator("10.244.0.0/16")
    assert pool.restore("old-a", "10.244.0.7")
    assert pool.restore("old-a", "10.244.0.7")  # idempotent
    assert not pool.restore("old-b", "10.244.0.7")  # taken by someone else
    assert not pool.restore("old-c", "10.99.0.1")  # outside the pool
    assert not pool.restore("old-d", "10.244.0.0")  # the network address
    assert not pool.restore("old-e", "not-an-ip")
    # New allocations continue after the restored address, never handing out a bound one.
    assert pool.allocate("new") == "10.244.0.8"


def test_release_unknown_owner_is_harmless() -> None:
    pool = IpAllocator("10.244.0.0/24")
    assert pool.release("nobody") is None


def test_concurrent_allocations_never_collide() -> None:
    pool = IpAllocator("10.244.0.0/20")
    results: list[str] = []
    lock = threading.Lock()

    def worker(start: int) -> None:
        for i in range(200):
            address = pool.allocate(f"{start}-{i}")
            with lock:
                results.append(address)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == len(set(results)) == 1600


def test_macs_are_locally_administered_unicast_and_stable() -> None:
    mac = mac_for_address("10.244.1.2")
    assert mac == "02:00:0a:f4:01:02"
    other = mac_for_interface("uid-1", "secondary")
    assert other == mac_for_interface("uid-1", "secondary")
    assert other != mac_for_interface("uid-2", "secondary")
    for value in (mac, other):
        first_octet = int(value.split(":")[0], 16)
        assert first_octet & 0b10  # locally administered
        assert not first_octet & 0b1  # unicast
    assert ipaddress.IPv4Address("10.244.1.2")
