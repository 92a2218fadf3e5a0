"""Resource usage, computed from the Server cache: per host (hypervisors) and per project (quotas).

Pure functions over already-read objects, so the numbers the hypervisor API shows and the ones
the quota check enforces come from the same rules:

- a server holds its flavor as embedded at build time (``status.flavor``); until the operator
  has embedded it, the Flavor named by ``spec.flavor`` stands in (a server that was just created
  must count against quota straight away);
- a server's disk is root + ephemeral + swap rounded up to GiB, as the operator's placement counts it;
- a server counts against its project until its object is gone (Nova counts instances until
  they are deleted, including those being deleted);
- a server counts on a host once the operator has recorded ``status.host``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kubenova.resources import Flavor, Server
from kubenova.resources.server import EmbeddedFlavor

# Nova's resource tracker counts these as the host's "current workload".
_WORKLOAD_TASK_STATES = frozenset(
    {
        "resize_migrating",
        "rebuilding",
        "resize_prep",
        "image_snapshot",
        "image_backup",
        "rescuing",
        "unshelving",
    }
)

FlavorLookup = Callable[[str], Flavor | None]
"""Flavor object by ``metadata.name`` (what ``Server.spec.flavor`` names)."""


@dataclass(frozen=True)
class Footprint:
    """What one server holds: vCPUs, RAM (MiB) and disk (GiB)."""

    vcpus: int = 0
    ram: int = 0
    disk_gb: int = 0


def _gib_ceil(mib: int) -> int:
    return -(-mib // 1024)


def footprint(server: Server, flavors: FlavorLookup) -> Footprint:
    """The server's size from its embedded flavor, else from the Flavor it names (else nothing)."""
    embedded: EmbeddedFlavor | None = server.status.flavor
    if embedded is not None:
        return Footprint(
            embedded.vcpus, embedded.ram, embedded.disk + embedded.ephemeral + _gib_ceil(embedded.swap)
        )
    flavor = flavors(server.spec.flavor)
    if flavor is None:
        return Footprint()
    spec = flavor.spec
    return Footprint(spec.vcpus, spec.ram, spec.disk + spec.ephemeral + _gib_ceil(spec.swap))


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
    return server.status.vm_state == "building" or server.status.task_state in _WORKLOAD_TASK_STATES


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
