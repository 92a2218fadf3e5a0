"""The placement ledger: choose a host and persist it, one server at a time, without ever
overcommitting.

kopf handles Servers concurrently, so "read usage → select → persist host" is a critical section:
two servers that both read the same free capacity would both take it. Here it runs under one
process-wide lock, and usage is

    every persisted placement (the Servers in the watch-fed view, ``status.host`` + flavor)
  + every placement this process made (the ledger, written before the patch returns)

The view alone could lag: a status patch reaches the watch when kopf processes its event, which
can be after the lock is released. The ledger closes that gap. After a restart the ledger is
empty and kopf fills its indexes from a full listing *before* any handler runs, so the persisted
``status.host`` values are the truth. An entry whose write failed stays in the ledger (it may have
been persisted): the error is on the safe side, and the entry is replaced when the same server is
placed again or removed when it is deleted.

Nodes and Aggregates come from the same view, read inside the lock (no listing per decision); one
created a moment before the Server is waited for by the caller (``scheduling``), within the
grace period for missing references.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Protocol

from kubenova import k8s
from kubenova.domain.quotas import QuotaExceeded
from kubenova.domain.resize_rules import HOLD_SUFFIX
from kubenova.domain.zones import AggregateInfo
from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_state import HostState, NodeInfo, PlacedServer, build_host_states
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.selection import select_destination
from kubenova.scheduler.set_selection import select_for_set

Persist = Callable[[HostState], Awaitable[str | None]]
"""Write the chosen host into the Server; returns the host the Server now has (None if gone)."""
Prepare = Callable[[RequestSpec], RequestSpec]
"""Complete the request from the view inside the lock (its server group's members: a member
placed a moment before must be seen, ``scheduling.with_group``)."""

Admit = Callable[[list[PlacedServer]], None]
"""Given every placement held (the server's own excluded), raise if the server may not take one
(the quota recheck: ``QuotaExceeded``); checked under the lock, so decisions never overlap."""

PersistMember = Callable[[RequestSpec, HostState], Awaitable[str | None]]
"""Write one member's chosen host into its Server (``Persist`` for one member of a set)."""
AdmitSet = Callable[[list[PlacedServer], Sequence[RequestSpec]], None]
"""Given every placement held (the set's members excluded), raise if the set may not take
them (the quota recheck of the whole set)."""
Refuse = Callable[[Sequence[RequestSpec], NoValidHost | QuotaExceeded], Awaitable[bool]]
"""The set was refused: write every member's ERROR and return True, or False to leave them
unplaced (the caller retries: a Node may still be coming)."""


class Hosts(Protocol):
    """What placement reads of the cluster (``ClusterView`` is one)."""

    def compute_nodes(self) -> list[NodeInfo]: ...
    def aggregate_infos(self) -> list[AggregateInfo]: ...
    def placements(self) -> list[PlacedServer]: ...


class PlacementLedger:
    """The serialized scheduler of this operator process."""

    def __init__(self, config: SchedulerConfig) -> None:
        self._config = config
        self._lock = asyncio.Lock()
        self._ledger: dict[str, PlacedServer] = {}
        self._released: set[str] = set()

    async def place(
        self,
        spec: RequestSpec,
        hosts: Hosts,
        persist: Persist,
        admit: Admit | None = None,
        *,
        prepare: Prepare | None = None,
    ) -> str | None:
        """Choose a host for ``spec`` and persist it, all under the lock.

        Raises ``NoValidHost`` when nothing fits, and whatever ``admit`` raises (quota) before
        anything is chosen. Returns the Server's host afterwards (which is
        an earlier placement if one raced us), or ``None`` if the Server is gone.
        """
        async with self._lock:
            spec = prepare(spec) if prepare is not None else spec
            usage = self.usage(hosts.placements(), exclude=spec.instance_uid)
            if admit is not None:
                admit(usage)
            states = build_host_states(hosts.compute_nodes(), usage, hosts.aggregate_infos(), self._config)
            chosen = select_destination(spec, states, self._config)
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

    async def place_resize(
        self,
        spec: RequestSpec,
        hosts: Hosts,
        persist: Persist,
        *,
        source: PlacedServer,
        ignore_hosts: frozenset[str] = frozenset(),
        admit: Admit | None = None,
        prepare: Prepare | None = None,
    ) -> str | None:
        """Choose the target host of a resize of ``spec`` (hosts in ``ignore_hosts`` excluded) and
        persist it, under the lock. The server keeps ``source`` (its current placement) and the
        target is held under ``<uid>/resize`` until confirm or revert. Raises ``NoValidHost``, and
        what ``admit`` raises (the quota recheck of the growth) before anything is chosen."""
        async with self._lock:
            spec = prepare(spec) if prepare is not None else spec
            uid = spec.instance_uid
            hold = uid + HOLD_SUFFIX
            usage = self.usage(hosts.placements(), exclude=hold)
            usage = [p for p in usage if p.uid != uid] + [source]
            if admit is not None:
                admit(usage)
            states = build_host_states(hosts.compute_nodes(), usage, hosts.aggregate_infos(), self._config)
            states = [state for state in states if state.name not in ignore_hosts]
            chosen = select_destination(spec, states, self._config)
            self._ledger[uid] = source
            self._ledger[hold] = PlacedServer(hold, chosen.name, spec.vcpus, spec.memory_mb, spec.disk_gb)
            try:
                host = await persist(chosen)
            except k8s.KubeError as error:
                if error.status < 500:
                    self._ledger.pop(hold, None)
                raise
            if host is None:
                self._ledger.pop(hold, None)
            return host

    async def place_set(
        self,
        collect: Callable[[], Sequence[RequestSpec]],
        hosts: Hosts,
        persist: PersistMember,
        refuse: Refuse,
        admit: AdmitSet | None = None,
    ) -> None:
        """Place the members of one multi-create request all together or not at all, under the
        lock (``docs/operator.md`` "Multi-create"). ``collect`` (called under the lock) gives the
        members still to place. Members this process already claimed a host for (a write that
        failed) keep it; the others are decided in one ``select_for_set`` after one quota recheck
        of them all, and every one is claimed before the first is persisted. A refused set
        (quota, ``NoValidHost``) goes to ``refuse`` and claims nothing. Each member is then
        persisted in turn; a failed write does not stop the others and is raised at the end."""
        async with self._lock:
            specs = list(collect())
            fresh = [spec for spec in specs if spec.instance_uid not in self._ledger]
            deciding = {spec.instance_uid for spec in fresh}
            usage = [p for p in self.usage(hosts.placements()) if p.uid not in deciding]
            states = build_host_states(hosts.compute_nodes(), usage, hosts.aggregate_infos(), self._config)
            try:
                if fresh and admit is not None:
                    admit(usage, fresh)
                chosen = select_for_set(fresh, states, self._config) if fresh else []
            except (NoValidHost, QuotaExceeded) as error:
                for spec in specs:  # all or nothing: an earlier claim of the set goes too
                    self._ledger.pop(spec.instance_uid, None)
                if not await refuse(specs, error):
                    raise
                return
            for spec, state in zip(fresh, chosen, strict=True):
                self._ledger[spec.instance_uid] = PlacedServer(
                    spec.instance_uid, state.name, spec.vcpus, spec.memory_mb, spec.disk_gb
                )
            by_name = {state.name: state for state in states}
            failed: k8s.KubeError | None = None
            for spec in specs:
                uid = spec.instance_uid
                claim = self._ledger[uid]
                if claim.host not in by_name:  # its Node went away meanwhile: decided again later
                    self._ledger.pop(uid, None)
                    continue
                try:
                    host = await persist(spec, by_name[claim.host])
                except k8s.KubeError as error:
                    if error.status < 500:  # refused, so certainly not persisted
                        self._ledger.pop(uid, None)
                    failed = failed or error
                    continue
                if host is None:
                    self._ledger.pop(uid, None)
                elif host != claim.host:
                    self._ledger[uid] = dataclasses.replace(claim, host=host)
            if failed is not None:
                raise failed

    def settle(self, uid: str, placed: PlacedServer | None) -> None:
        """A resize was confirmed or reverted (``placed``: where the server is now) or a
        resize's target was never persisted (``None``): only one placement is held again."""
        hold = uid + HOLD_SUFFIX
        self._ledger.pop(hold, None)
        self._released.add(hold)
        if placed is not None:
            self._ledger[uid] = placed

    def usage(self, indexed: Iterable[PlacedServer], *, exclude: str | None = None) -> list[PlacedServer]:
        """Every placement known: persisted (view) overlaid with this process's own (ledger),
        minus servers already released (their Server object may linger in the view a moment)."""
        merged = {placed.uid: placed for placed in indexed}
        self._released &= merged.keys()  # once the view has dropped them, forget them
        for uid in self._released:
            del merged[uid]
        for uid, own in self._ledger.items():
            # The view knows whether the server is still building or moving (IoOpsFilter); a
            # placement it has not seen yet is a build that just started.
            seen = merged.get(uid)
            if seen is None:
                merged[uid] = dataclasses.replace(own, io_op=True)
            else:
                merged[uid] = dataclasses.replace(own, io_op=seen.io_op, failed_build=seen.failed_build)
        merged.pop(exclude or "", None)
        return list(merged.values())

    def release(self, uid: str) -> None:
        """The server's VM is gone: its capacity is free from now on."""
        self._ledger.pop(uid, None)
        self._released.add(uid)
        self.settle(uid, None)
