"""``/os-hosts`` (≤ 2.42) decisions: the compute Nodes as Nova's hosts.

- index: the enabled compute services (Nova filters ``disabled: False``), each with its zone;
  ``?zone=`` narrows to one zone;
- show: Nova's resource rows of a host: ``(total)``, ``(used_now)``, ``(used_max)`` and one per
  project, from the Node's capacity and the servers placed on it (404 for an unknown host);
- update (status / maintenance mode) and the power actions reach the virt driver in Nova, and
  the libvirt driver implements none of them (501); here the host is checked, then the same 501.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubenova.domain.hosts import ComputeHost
from kubenova.resources import Server
from kubenova.resources.flavor import FlavorSpec
from kubenova.resources.server import EmbeddedFlavor
from kubenova_api import errors
from kubenova_api.compute import zones
from kubenova_api.compute.access import project_of
from kubenova_api.identity.service import IdentityService
from kubenova_api.store import Store
from kubenova_api.usage import by_host


@dataclass(frozen=True)
class Resource:
    project: str
    cpu: int
    memory_mb: int
    disk_gb: int


def listed(store: Store, default_zone: str, zone: str | None) -> list[tuple[ComputeHost, str]]:
    return [
        (node, node_zone)
        for node, node_zone in zones.placed(store, default_zone)
        if not node.disabled and (not zone or node_zone == zone)
    ]


def host(store: Store, name: str) -> ComputeHost:
    node = store.nodes.get(name)
    if node is None:
        raise errors.NotFoundError(f"Compute host {name} could not be found.")
    return node


def _sized(store: Store, server: Server) -> tuple[int, int, int]:
    """Nova's per-instance sums: vCPUs, RAM and root + ephemeral disk (swap not counted)."""
    flavor: EmbeddedFlavor | FlavorSpec | None = server.status.flavor
    if flavor is None:
        named = store.flavors.crs.get(server.spec.flavor)
        flavor = named.spec if named is not None else None
    if flavor is None:
        return (0, 0, 0)
    return (flavor.vcpus, flavor.ram, flavor.disk + flavor.ephemeral)


def resources(store: Store, identity: IdentityService, name: str) -> list[Resource]:
    """``(total)`` is the Node's capacity, ``(used_now)`` what the hypervisor API shows as used
    (swap included, as Nova's resource tracker counts it), ``(used_max)`` and the per-project
    rows the sums over the servers placed there."""
    node = host(store, name)
    placed: list[Server] = [s for s in store.servers.list() if s.status.host == name]
    used = by_host(placed, store.flavors.crs.get).get(name)
    rows = [Resource("(total)", node.vcpus, node.memory_mb, node.local_gb)]
    now = (used.vcpus, used.memory_mb, used.local_gb) if used else (0, 0, 0)
    rows.append(Resource("(used_now)", *now))
    projects: dict[str, list[int]] = {}
    for server in placed:
        totals = projects.setdefault(project_of(identity, server.metadata.namespace), [0, 0, 0])
        for index, amount in enumerate(_sized(store, server)):
            totals[index] += amount
    rows.append(Resource("(used_max)", *(sum(t[i] for t in projects.values()) for i in range(3))))
    rows.extend(Resource(project, *totals) for project, totals in projects.items())
    return rows


def not_supported(store: Store, name: str) -> None:
    """What the driver answers to host power and status changes: the host must exist, then 501."""
    host(store, name)
    raise errors.UnsupportedError("The requested functionality is not supported.")
