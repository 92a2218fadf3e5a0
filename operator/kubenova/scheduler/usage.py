"""Per-host usage kept up to date one placement at a time, so a decision never sums every server.

``HostUsage`` holds every placement it is given (by placement uid: a server's uid, or
``<uid>/resize`` for a resize's second hold) and, per host, the totals the filters and weighers
read: vCPUs, RAM, disk, instance count, I/O operations, failed builds and the placement uids on
the host (affinity hints, server groups). ``put``/``drop`` cost O(1); reading a host's totals
costs nothing. Whoever knows of placements (the operator's view and ledger) feeds it as they
appear, change and disappear; ``host_state.build_host_states`` turns the totals into host states.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

__all__ = ["HostTotals", "HostUsage", "PlacedServer"]


@dataclass(frozen=True)
class PlacedServer:
    """A server already holding resources on ``host``. ``disk_gb`` = root + ephemeral + swap.
    ``io_op``: it is building or moving (``scheduler.io_ops``), which IoOpsFilter counts."""

    uid: str
    host: str
    vcpus: int
    memory_mb: int
    disk_gb: int
    io_op: bool = False
    failed_build: bool = False
    """It is in ERROR on this host without ever having run (its build failed here)."""


@dataclass
class HostTotals:
    """What the placements on one host hold, summed."""

    vcpus: int = 0
    memory_mb: int = 0
    disk_gb: int = 0
    instances: int = 0
    io_ops: int = 0
    failed_builds: int = 0
    uids: frozenset[str] = field(default_factory=frozenset)
    """Placement uids on the host; replaced, never changed in place, so a host state built from
    it may keep the reference."""

    def add(self, placed: PlacedServer, sign: int = 1) -> None:
        self.vcpus += sign * placed.vcpus
        self.memory_mb += sign * placed.memory_mb
        self.disk_gb += sign * placed.disk_gb
        self.instances += sign
        self.io_ops += sign * int(placed.io_op)
        self.failed_builds += sign * int(placed.failed_build)
        self.uids = self.uids | {placed.uid} if sign > 0 else self.uids - {placed.uid}

    @property
    def empty(self) -> bool:
        return self.instances == 0


class HostUsage:
    """Every placement known, by placement uid, with per-host totals maintained incrementally."""

    def __init__(self, placed: Iterable[PlacedServer] = ()) -> None:
        self._placed: dict[str, PlacedServer] = {}
        self._hosts: dict[str, HostTotals] = {}
        for server in placed:
            self.put(server)

    def put(self, placed: PlacedServer) -> None:
        """``placed`` holds its resources from now on (replacing what its uid held before)."""
        old = self._placed.get(placed.uid)
        if old == placed:
            return
        if old is not None:
            self._count(old, -1)
        self._placed[placed.uid] = placed
        self._count(placed, 1)

    def drop(self, uid: str) -> PlacedServer | None:
        """The placement ``uid`` holds nothing any more; what it held, if anything."""
        old = self._placed.pop(uid, None)
        if old is not None:
            self._count(old, -1)
        return old

    def get(self, uid: str) -> PlacedServer | None:
        return self._placed.get(uid)

    def __contains__(self, uid: object) -> bool:
        return uid in self._placed

    def __len__(self) -> int:
        return len(self._placed)

    def __iter__(self) -> Iterator[PlacedServer]:
        return iter(list(self._placed.values()))

    def totals(self, host: str) -> HostTotals | None:
        """The host's totals (``None``: nothing placed there). Read-only for the caller."""
        return self._hosts.get(host)

    def _count(self, placed: PlacedServer, sign: int) -> None:
        totals = self._hosts.get(placed.host)
        if totals is None:
            totals = self._hosts[placed.host] = HostTotals()
        totals.add(placed, sign)
        if totals.empty:
            del self._hosts[placed.host]
