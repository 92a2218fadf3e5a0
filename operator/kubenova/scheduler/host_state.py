"""Per-Node host state: capacity, usage, aggregates and zone, as Nova's ``HostState``.

Inputs are plain facts the caller read from the cluster (``NodeInfo``, ``AggregateInfo``, and the
per-host totals of the placed servers, ``usage.HostUsage``). ``build_host_states`` turns them into
one mutable ``HostState`` per Node (``host_templates``: the part that does not depend on usage,
which ``host_cache`` keeps between decisions; ``HostState.use``: the usage); ``consume`` updates
it after each placement so successive picks in one pass never overcommit.

Capacity follows Placement's inventory rule: ``(total - reserved) * allocation_ratio - used``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from kubenova.domain import zones
from kubenova.domain.zones import AggregateInfo
from kubenova.quantities import mib_to_gib_ceil
from kubenova.scheduler.aggregates import ResolvedNumber, metadata_values, minimum_number
from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.usage import HostTotals, HostUsage, PlacedServer

__all__ = ["AggregateInfo", "HostState", "NodeInfo", "PlacedServer", "build_host_states"]

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class NodeInfo:
    """A Node's allocatable resources, already parsed, and whether it can take new servers.

    ``schedulable`` False means cordoned: Nova's disabled compute service. ``ready`` False means
    the kubelet is not reporting: Nova's service is down.
    """

    name: str
    cpu: float
    memory_mb: int
    disk_gb: int
    schedulable: bool = True
    ready: bool = True
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class HostState:
    """What the filters and weighers know about one host during one scheduling pass."""

    name: str
    availability_zone: str
    aggregates: list[AggregateInfo] = field(default_factory=list)
    enabled: bool = True
    up: bool = True
    total_vcpus: float = 0.0
    used_vcpus: int = 0
    total_memory_mb: int = 0
    used_memory_mb: int = 0
    total_disk_gb: int = 0
    used_disk_gb: int = 0
    cpu_allocation_ratio: float = 4.0
    ram_allocation_ratio: float = 1.0
    disk_allocation_ratio: float = 1.0
    reserved_vcpus: int = 0
    reserved_memory_mb: int = 0
    reserved_disk_gb: int = 0
    num_instances: int = 0
    num_io_ops: int = 0
    failed_builds: int = 0
    instance_uids: frozenset[str] = field(default_factory=frozenset)
    """Placement uids on the host; replaced, never changed in place (it may be shared)."""
    labels: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """Why some aggregate setting was ignored for this host (bad ratio, conflicting zones)."""
    resolved: dict[tuple[str, float], ResolvedNumber] = field(default_factory=dict)
    """``aggregate_number`` answers, kept as long as the host's aggregates and config are."""

    def aggregate_number(self, key: str, default: float) -> ResolvedNumber:
        """The smallest valid number the host's aggregates set for ``key``, else ``default``
        (``aggregates.minimum_number``), worked out once per host and key."""
        found = self.resolved.get((key, default))
        if found is None:
            found = self.resolved[(key, default)] = minimum_number(self.aggregates, key, default)
        return found

    @property
    def free_vcpus(self) -> float:
        """vCPUs still placeable: ``(total - reserved) * cpu_allocation_ratio - used``."""
        return (self.total_vcpus - self.reserved_vcpus) * self.cpu_allocation_ratio - self.used_vcpus

    @property
    def free_ram_mb(self) -> float:
        """RAM (MiB) still placeable: ``(total - reserved) * ram_allocation_ratio - used``."""
        capacity = (self.total_memory_mb - self.reserved_memory_mb) * self.ram_allocation_ratio
        return capacity - self.used_memory_mb

    @property
    def free_disk_gb(self) -> float:
        """Disk (GiB) still placeable: ``(total - reserved) * disk_allocation_ratio - used``."""
        return (self.total_disk_gb - self.reserved_disk_gb) * self.disk_allocation_ratio - self.used_disk_gb

    @property
    def metadata(self) -> dict[str, set[str]]:
        """Metadata of all the host's aggregates, each key with every value it is given."""
        return metadata_values(self.aggregates)

    def consume(self, spec: RequestSpec) -> None:
        """Account one instance of ``spec`` on this host (Nova's ``consume_from_request``)."""
        self.used_vcpus += spec.vcpus
        self.used_memory_mb += spec.memory_mb
        self.used_disk_gb += spec.disk_gb
        self.num_instances += 1
        self.num_io_ops += 1  # the build now starting is an I/O operation (Nova's consume)
        if spec.instance_uid:
            self.instance_uids = self.instance_uids | {spec.instance_uid}

    def add_placed(self, server: PlacedServer, sign: int = 1) -> None:
        """Account a server that already runs (or is being built) here (``sign`` -1: one that
        was accounted and holds nothing here after all)."""
        self.used_vcpus += sign * server.vcpus
        self.used_memory_mb += sign * server.memory_mb
        self.used_disk_gb += sign * server.disk_gb
        self.num_instances += sign
        self.num_io_ops += sign * int(server.io_op)
        self.failed_builds += sign * int(server.failed_build)
        if sign > 0:
            self.instance_uids = self.instance_uids | {server.uid}
        else:
            self.instance_uids = self.instance_uids - {server.uid}

    def use(self, totals: HostTotals | None) -> None:
        """Take the usage from ``totals`` (``None``: nothing placed here), replacing any other."""
        totals = totals or _NOTHING
        self.used_vcpus = totals.vcpus
        self.used_memory_mb = totals.memory_mb
        self.used_disk_gb = totals.disk_gb
        self.num_instances = totals.instances
        self.num_io_ops = totals.io_ops
        self.failed_builds = totals.failed_builds
        self.instance_uids = totals.uids


_NOTHING = HostTotals()


def build_host_states(
    nodes: Iterable[NodeInfo],
    placed: HostUsage | Iterable[PlacedServer],
    aggregates: Iterable[AggregateInfo],
    config: SchedulerConfig,
) -> list[HostState]:
    """One ``HostState`` per Node, in the order given, with usage from the per-host totals of
    ``placed`` (a ``HostUsage``, or the placed servers themselves: summed here, once per uid).

    Servers on hosts that are not Nodes are ignored (their Node is gone).
    """
    usage = placed if isinstance(placed, HostUsage) else HostUsage(placed)
    states = host_templates(nodes, aggregates, config)
    for state in states:
        state.use(usage.totals(state.name))
    return states


def host_templates(
    nodes: Iterable[NodeInfo], aggregates: Iterable[AggregateInfo], config: SchedulerConfig
) -> list[HostState]:
    """One ``HostState`` per Node with what does not depend on placements (zone, aggregates,
    ratios) and no usage yet."""
    aggregate_list = sorted(aggregates, key=lambda a: a.name)
    return [host_template(node, aggregate_list, config) for node in nodes]


def host_template(node: NodeInfo, aggregates: list[AggregateInfo], config: SchedulerConfig) -> HostState:
    member_of = [a for a in aggregates if node.name in a.hosts]
    notes: list[str] = []
    ratios = [
        _ratio(member_of, name, getattr(config, name), notes)
        for name in ("cpu_allocation_ratio", "ram_allocation_ratio", "disk_allocation_ratio")
    ]
    return HostState(
        name=node.name,
        availability_zone=_zone(node.name, member_of, config.default_availability_zone, notes),
        aggregates=member_of,
        enabled=node.schedulable,
        up=node.ready,
        total_vcpus=node.cpu,
        total_memory_mb=node.memory_mb,
        total_disk_gb=node.disk_gb,
        cpu_allocation_ratio=ratios[0],
        ram_allocation_ratio=ratios[1],
        disk_allocation_ratio=ratios[2],
        reserved_vcpus=config.reserved_host_cpus,
        reserved_memory_mb=config.reserved_host_memory_mb,
        reserved_disk_gb=mib_to_gib_ceil(config.reserved_host_disk_mb),
        labels=dict(node.labels),
        notes=notes,
    )


def _ratio(member_of: list[AggregateInfo], key: str, default: float, notes: list[str]) -> float:
    resolved: ResolvedNumber = minimum_number(member_of, key, default, positive=True)
    for problem in resolved.problems:
        LOG.warning("Could not use %s", problem)
        notes.append(problem)
    return resolved.value


def _zone(host: str, member_of: list[AggregateInfo], default: str, notes: list[str]) -> str:
    """The host's zone by ``domain.zones``; a host put in several zones is noted."""
    chosen = zones.zone_of(host, member_of, default)
    conflicting = zones.conflicting_zones(host, member_of)
    if conflicting:
        note = f"host {host!r} is in several availability zones {conflicting}; using {chosen!r}"
        LOG.warning(note)
        notes.append(note)
    return chosen
