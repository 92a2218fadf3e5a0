"""``/os-hosts`` (≤ 2.42) decisions: the compute Nodes as Nova's hosts.

- index: the enabled compute services (Nova filters ``disabled: False``), each with its zone;
  ``?zone=`` narrows to one zone;
- show: Nova's resource rows of a host: ``(total)``, ``(used_now)``, ``(used_max)`` and one per
  project, from the Node's capacity and the servers placed on it;
- update (status / maintenance mode) and the power actions reach the virt driver in Nova, and
  the libvirt driver implements none of them (501); here the host is checked, then the same 501.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubenova.domain.hosts import ComputeHost
from kubenova.resources import Server
from kubenova_api import errors
from kubenova_api.compute import zones
from kubenova_api.compute.access import project_of
from kubenova_api.identity.service import IdentityService
from kubenova_api.store import Store
from kubenova_api.usage import by_host, footprint


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


def resources(store: Store, identity: IdentityService, name: str) -> list[Resource]:
    node = host(store, name)
    placed: list[Server] = [s for s in store.servers.list() if s.status.host == name]
    used = by_host(placed, store.flavors.crs.get).get(name)
    rows = [Resource("(total)", node.vcpus, node.memory_mb, node.local_gb)]
    cpu, ram, disk = (used.vcpus, used.memory_mb, used.local_gb) if used else (0, 0, 0)
    rows.append(Resource("(used_now)", cpu, ram, disk))
    rows.append(Resource("(used_max)", cpu, ram, disk))
    projects: dict[str, list[int]] = {}
    for server in placed:
        held = footprint(server, store.flavors.crs.get)
        totals = projects.setdefault(project_of(identity, server.metadata.namespace), [0, 0, 0])
        totals[0] += held.vcpus
        totals[1] += held.ram
        totals[2] += held.disk_gb
    rows.extend(Resource(project, *totals) for project, totals in projects.items())
    return rows


def not_supported(store: Store, name: str) -> None:
    """What the driver answers to host power and status changes: the host must exist, then 501."""
    host(store, name)
    raise errors.UnsupportedError("The requested functionality is not supported.")
