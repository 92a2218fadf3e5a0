"""VMI address management: one IPv4 per VMI from a CIDR, plus locally administered MACs.

An address is bound to the VMI's uid for the VMI's whole life (it survives migrations, like a
persistent-IP pod network) and is only freed when the VMI object is gone. Allocation is next-fit
(a cursor walks the pool), so a freed address is not handed out again until the pool wraps: that
keeps a stale address seen by a slow client from pointing at a brand-new VMI. A restarted
simulator calls ``restore`` with the addresses it reads back from existing VMIs before it
allocates anything.
"""

from __future__ import annotations

import hashlib
import ipaddress
import threading


class AddressPoolExhaustedError(RuntimeError):
    """Every usable address of the CIDR is bound to a VMI."""


class IpAllocator:
    """Thread-safe owner -> address bindings over one IPv4 CIDR (network/broadcast excluded)."""

    def __init__(self, cidr: str) -> None:
        net = ipaddress.IPv4Network(cidr, strict=True)
        self._first = int(net.network_address) + 1
        self._last = int(net.broadcast_address) - 1
        if self._last < self._first:
            raise ValueError(f"CIDR {cidr} has no usable addresses")
        self._net = net
        self._cursor = self._first
        self._by_owner: dict[str, int] = {}
        self._by_address: dict[int, str] = {}
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return self._last - self._first + 1

    def in_use(self) -> int:
        with self._lock:
            return len(self._by_owner)

    def address_of(self, owner: str) -> str | None:
        with self._lock:
            value = self._by_owner.get(owner)
            return None if value is None else str(ipaddress.IPv4Address(value))

    def allocate(self, owner: str) -> str:
        """The owner's address, binding the next free one if it has none yet."""
        with self._lock:
            if owner in self._by_owner:
                return str(ipaddress.IPv4Address(self._by_owner[owner]))
            for _ in range(self.size):
                candidate = self._cursor
                self._cursor = self._first if candidate >= self._last else candidate + 1
                if candidate not in self._by_address:
                    self._bind(owner, candidate)
                    return str(ipaddress.IPv4Address(candidate))
            raise AddressPoolExhaustedError(f"no free address left in {self._net}")

    def restore(self, owner: str, address: str) -> bool:
        """Re-bind an address read back from the API; False if it is foreign or taken by another owner."""
        try:
            value = int(ipaddress.IPv4Address(address))
        except ValueError:
            return False
        if not self._first <= value <= self._last:
            return False
        with self._lock:
            holder = self._by_address.get(value)
            if holder is not None:
                return holder == owner
            if owner in self._by_owner:
                return False
            self._bind(owner, value)
            # Continue after the highest restored address, as if we had never stopped.
            if value >= self._cursor:
                self._cursor = self._first if value >= self._last else value + 1
            return True

    def release(self, owner: str) -> str | None:
        with self._lock:
            value = self._by_owner.pop(owner, None)
            if value is None:
                return None
            del self._by_address[value]
            return str(ipaddress.IPv4Address(value))

    def owners(self) -> set[str]:
        with self._lock:
            return set(self._by_owner)

    def _bind(self, owner: str, value: int) -> None:
        self._by_owner[owner] = value
        self._by_address[value] = owner


def mac_for_address(address: str) -> str:
    """A locally administered unicast MAC (02:00:<IPv4>) that is unique whenever the address is."""
    octets = ipaddress.IPv4Address(address).packed
    return "02:00:" + ":".join(f"{b:02x}" for b in octets)


def mac_for_interface(vmi_uid: str, interface: str) -> str:
    """A stable locally administered MAC (02:01:...) for an interface that has no pool address."""
    digest = hashlib.sha256(f"{vmi_uid}/{interface}".encode()).digest()
    return "02:01:" + ":".join(f"{b:02x}" for b in digest[:4])
