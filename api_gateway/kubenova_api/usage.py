"""Resource usage of servers: per host (hypervisors) and per project (quotas).

Pure functions over already-read objects (``compute.quotas`` and the hypervisor routes pass the
cached Servers), so the numbers the hypervisor API shows and the ones
the quota check enforces come from the same rules:

- a server holds its flavor as embedded at build time (``status.flavor``); until the operator
  has embedded it, the Flavor named by ``spec.flavor`` stands in (a server that was just created
  must count against quota straight away);
- a server's footprint is ``kubenova.domain.footprint``'s, the operator's placement's rule;
- a server counts against its project until its object is gone (Nova counts instances until
  they are deleted, including those being deleted);
- a server counts on a host once the operator has recorded ``status.host``; a resizing server
  also holds its other host (``domain.resize_rules.extra_hold``) until confirm or revert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kubenova.domain import footprint as footprints
from kubenova.domain import resize_rules
from kubenova.domain.footprint import Footprint
from kubenova.resources import Flavor, Server

FlavorLookup = Callable[[str], Flavor | None]
"""Flavor object by ``metadata.name`` (what ``Server.spec.flavor`` names)."""


def footprint(server: Server, flavors: FlavorLookup) -> Footprint:
    """The server's size from its embedded flavor, else from the Flavor it names (else nothing)."""
    if server.status.flavor is not None:
        return footprints.of_flavor(server.status.flavor)
    flavor = flavors(server.spec.flavor)
    return footprints.of_flavor(flavor.spec) if flavor is not None else Footprint()


@dataclass
class HostUsage:
    """What is placed on one host."""

    vcpus: int = 0
    memory_mb: int = 0
    local_gb: int = 0
    workload: int = 0
    servers: list[Server] = field(default_factory=list)

    @property
    def running_vms(self) -> int:
        return len(self.servers)


def is_busy(server: Server) -> bool:
    """Whether the server adds to the host's ``current_workload`` (building or a long task)."""
    return footprints.adds_to_workload(server)


def by_host(servers: Iterable[Server], flavors: FlavorLookup) -> dict[str, HostUsage]:
    """Usage of every host that has servers, keyed by host (Node) name."""
    usage: dict[str, HostUsage] = {}
    for server in servers:
        host = server.status.host
        if not host:
            continue
        held = footprint(server, flavors)
        entry = usage.setdefault(host, HostUsage())
        entry.vcpus += held.vcpus
        entry.memory_mb += held.ram
        entry.local_gb += held.disk_gb
        entry.workload += 1 if is_busy(server) else 0
        entry.servers.append(server)
        extra = resize_rules.extra_hold(server)  # a resize holds the other host until confirm/revert
        if extra is not None:
            other, hold = extra
            held_there = usage.setdefault(other, HostUsage())
            held_there.vcpus += hold.vcpus
            held_there.memory_mb += hold.ram
            held_there.local_gb += hold.disk_gb
    for entry in usage.values():
        entry.servers.sort(key=lambda s: (s.metadata.creation_timestamp or "", s.metadata.name))
    return usage


@dataclass(frozen=True)
class ProjectUsage:
    """What one project holds: Nova's ``instances``, ``cores`` and ``ram`` quota usage."""

    instances: int = 0
    cores: int = 0
    ram: int = 0


def of_project(servers: Iterable[Server], flavors: FlavorLookup) -> ProjectUsage:
    """Usage of the given servers (the project's: those in its namespace)."""
    instances = cores = ram = 0
    for server in servers:
        held = footprint(server, flavors)
        instances += 1
        cores += held.vcpus
        ram += held.ram
    return ProjectUsage(instances, cores, ram)
