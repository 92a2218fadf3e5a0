"""Placement: choose a host and persist it, one server at a time, without ever overcommitting.

kopf handles Servers concurrently, so "read usage → select → persist host" is a critical section:
two servers that both read the same free capacity would both take it. Here it runs under one
process-wide lock, and usage is

    every persisted placement (kopf's watch-fed index of Servers, ``status.host`` + flavor)
  + every placement this process made (the ledger, written before the patch returns)

The index alone would lag: our own status patches reach it only when kopf processes their watch
events, which can be long after the lock is released. The ledger closes that gap. After a restart
the ledger is empty and kopf fills the index from a full listing *before* any handler runs, so the
persisted ``status.host`` values are the truth. An entry whose write failed stays in the ledger
(it may have been persisted): the error is on the safe side, and the entry is replaced when the
same server is placed again or removed when it is deleted.

Nodes and Aggregates are listed fresh under the lock: they are few, and a Node or Aggregate
created a moment before a Server must be seen by it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from kubenova import k8s, quantities
from kubenova.domain.zones import AggregateInfo
from kubenova.resources.aggregate import Aggregate
from kubenova.resources.server import Server
from kubenova.scheduler.host_state import HostState, NodeInfo, PlacedServer, build_host_states
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.selection import select_destination
from kubenova.settings import Settings

LOG = logging.getLogger(__name__)

Indexed = Callable[[], Iterable[PlacedServer]]
"""The persisted placements as of now (read inside the lock, so it is as fresh as it gets)."""

Persist = Callable[[HostState], Awaitable[str | None]]
"""Write the chosen host into the Server; returns the host the Server now has (None if gone)."""

_BLOCKING_TAINT_EFFECTS = frozenset({"NoSchedule", "NoExecute"})
_T = TypeVar("_T")


class Placement:
    """The serialized scheduler of this operator process."""

    def __init__(self, client: k8s.Client, settings: Settings) -> None:
        self._client = client
        self._config = settings.scheduler_config()
        self._node_selector = settings.compute_node_selector or None
        self._lock = asyncio.Lock()
        self._ledger: dict[str, PlacedServer] = {}
        self._released: set[str] = set()

    async def place(self, spec: RequestSpec, indexed: Indexed, persist: Persist) -> str | None:
        """Choose a host for ``spec`` and persist it, all under the lock.

        Raises ``NoValidHost`` when nothing fits. Returns the Server's host afterwards (which is
        an earlier placement if one raced us), or ``None`` if the Server is gone.
        """
        async with self._lock:
            nodes = [
                node_info(n) for n in await self._client.list(k8s.NODES, label_selector=self._node_selector)
            ]
            aggregates = [
                AggregateInfo.from_resource(Aggregate.model_validate(a))
                for a in await self._client.list(k8s.AGGREGATES)
            ]
            usage = self.usage(indexed(), exclude=spec.instance_uid)
            hosts = build_host_states(nodes, usage, aggregates, self._config)
            chosen = select_destination(spec, hosts, self._config)
            uid = spec.instance_uid
            self._ledger[uid] = PlacedServer(uid, chosen.name, spec.vcpus, spec.memory_mb, spec.disk_gb)
            try:
                host = await persist(chosen)
            except k8s.KubeError as error:
                if error.status < 500:  # refused, so certainly not persisted
                    self._ledger.pop(uid, None)
                raise
            if host is None:
                self._ledger.pop(uid, None)
            elif host != chosen.name:
                self._ledger[uid] = PlacedServer(uid, host, spec.vcpus, spec.memory_mb, spec.disk_gb)
            return host

    def usage(self, indexed: Iterable[PlacedServer], *, exclude: str | None = None) -> list[PlacedServer]:
        """Every placement known: persisted (index) overlaid with this process's own (ledger),
        minus servers already released (their Server object may linger in the index a moment)."""
        merged = {placed.uid: placed for placed in indexed}
        self._released &= merged.keys()  # once the index has dropped them, forget them
        for uid in self._released:
            del merged[uid]
        merged.update(self._ledger)
        merged.pop(exclude or "", None)
        return list(merged.values())

    def release(self, uid: str) -> None:
        """The server's VM is gone: its capacity is free from now on."""
        self._ledger.pop(uid, None)
        self._released.add(uid)


def placed_server(server: Server) -> PlacedServer | None:
    """What a Server holds on its host (from its embedded flavor), if it is placed."""
    host, flavor = server.status.host, server.status.flavor
    if host is None or flavor is None or not server.metadata.uid:
        return None
    disk_gb = flavor.disk + flavor.ephemeral + quantities.mib_to_gib_ceil(flavor.swap)
    return PlacedServer(server.metadata.uid, host, flavor.vcpus, flavor.ram, disk_gb)


def node_info(node: dict[str, Any]) -> NodeInfo:
    """The scheduler's view of a Node: allocatable resources and whether it takes new servers.

    A Node with a NoSchedule/NoExecute taint counts as cordoned: KubeVirt's pods would not land
    there (kubenova does not add tolerations).
    """
    metadata = node.get("metadata") or {}
    spec = node.get("spec") or {}
    status = node.get("status") or {}
    resources = {**(status.get("capacity") or {}), **(status.get("allocatable") or {})}
    conditions = status.get("conditions") or []
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
    tainted = any(t.get("effect") in _BLOCKING_TAINT_EFFECTS for t in spec.get("taints") or [])
    return NodeInfo(
        name=metadata.get("name", ""),
        cpu=_quantity(resources.get("cpu"), quantities.parse_cpu, 0.0),
        memory_mb=_quantity(resources.get("memory"), quantities.parse_mib, 0),
        disk_gb=_quantity(resources.get("ephemeral-storage"), quantities.parse_gib, 0),
        schedulable=not spec.get("unschedulable", False) and not tainted,
        ready=ready,
        labels=dict(metadata.get("labels") or {}),
    )


def _quantity(raw: object, parse: Callable[[str], _T], default: _T) -> _T:
    if not isinstance(raw, str | int | float):
        return default
    try:
        return parse(str(raw))
    except ValueError:
        LOG.warning("Ignoring unparsable quantity %r", raw)
        return default
