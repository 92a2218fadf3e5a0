"""The placement ledger: choose a host for a server and claim it, one decision at a time, without
ever overcommitting; the write that persists the choice runs after the decision, outside the lock.

kopf handles Servers concurrently, so "read usage → select → claim" is a critical section: two
servers that both read the same free capacity would both take it. Only that part runs under the
process-wide lock, and it asks the API server nothing. Usage is

    every persisted placement (the Servers in the watch-fed view, ``status.host`` + flavor)
  + every placement this process claimed (the ledger, written before the lock is released)

kept as per-host totals in a ``HostUsage`` that both feed one placement at a time: the view calls
``seen`` as a Server's copy changes (``follow``), the ledger's own claims and releases
update it directly. A decision therefore costs O(hosts * filters), not O(servers).

The claim counts in every later decision from the moment it is made; the status patch follows
outside the lock, so the next decision never waits for an API server round trip. A write the API
server refused (4xx) persisted nothing: its claim is dropped. A write that failed otherwise
(5xx, timeout) may have been persisted: its claim stays, on the safe side, until the same server
is placed again or released. After a restart the ledger is empty and kopf fills its indexes from
a full listing before any handler runs, so the persisted ``status.host`` values are the truth.

Nodes and Aggregates come from the same view, read inside the lock (no listing per decision);
the host states built from them are kept between decisions (``HostStateCache``). One created a
moment before the Server is waited for by the caller (``scheduling``), within the grace period
for missing references.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Protocol

from kubenova import k8s
from kubenova.domain.quotas import QuotaExceeded
from kubenova.domain.resize_rules import HOLD_SUFFIX
from kubenova.domain.zones import AggregateInfo
from kubenova.scheduler.config import SchedulerConfig
from kubenova.scheduler.errors import NoValidHost
from kubenova.scheduler.host_cache import HostStateCache
from kubenova.scheduler.host_state import HostState, NodeInfo, PlacedServer
from kubenova.scheduler.request_spec import RequestSpec
from kubenova.scheduler.selection import select_destination, validate_host
from kubenova.scheduler.set_selection import select_for_set
from kubenova.scheduler.usage import HostUsage

Persist = Callable[[HostState], Awaitable[str | None]]
"""Write the chosen host into the Server; returns the host the Server now has (None if gone)."""
Prepare = Callable[[RequestSpec], RequestSpec]
"""Complete the request from the view inside the lock (its server group's members: a member
placed a moment before must be seen, ``scheduling.with_group``)."""


class Held:
    """Every placement held, by placement uid, as one decision sees it (the server's own
    excluded): iterating yields the ``PlacedServer``s; ``get`` finds one in O(1)."""

    def __init__(self, usage: HostUsage, overrides: Mapping[str, PlacedServer | None]) -> None:
        self._usage, self._overrides = usage, overrides

    def get(self, uid: str) -> PlacedServer | None:
        if uid in self._overrides:
            return self._overrides[uid]
        return self._usage.get(uid)

    def __iter__(self) -> Iterator[PlacedServer]:
        for placed in self._usage:
            if placed.uid not in self._overrides:
                yield placed
        yield from (p for p in self._overrides.values() if p is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


Admit = Callable[[Held], None]
"""Given every placement held (the server's own excluded), raise if the server may not take one
(the quota recheck: ``QuotaExceeded``); checked under the lock, so decisions never overlap."""

PersistMember = Callable[[RequestSpec, HostState], Awaitable[str | None]]
"""Write one member's chosen host into its Server (``Persist`` for one member of a set)."""
AdmitSet = Callable[[Held, Sequence[RequestSpec]], None]
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


class Feed(Protocol):
    """Tells its listener each Server's placements as they change (``handlers.server_feed``)."""

    def follow_placements(self, listener: Callable[[str, list[PlacedServer]], None]) -> None: ...


class PlacementLedger:
    """The scheduler of this operator process: decisions one at a time, writes concurrent."""

    def __init__(self, config: SchedulerConfig) -> None:
        self._config = config
        self._lock = asyncio.Lock()
        self._own: dict[str, PlacedServer] = {}  # claims of this process, by placement uid
        self._released: set[str] = set()
        self._seen: dict[str, PlacedServer] = {}  # the view's, by placement uid
        self._seen_of: dict[str, tuple[str, ...]] = {}  # server uid → its placement uids seen
        self._usage = HostUsage()  # what counts: the view's overlaid with own, minus released
        self._hosts = HostStateCache(config)
        self._followed = False

    # ----- feeding ------------------------------------------------------------------------------

    def follow(self, feed: Feed) -> None:
        """Take the persisted placements from ``feed`` from now on (instead of reading
        ``Hosts.placements()`` at every decision)."""
        feed.follow_placements(self.seen)
        self._followed = True

    def seen(self, server_uid: str, placements: list[PlacedServer]) -> None:
        """The view's freshest copy of the Server ``server_uid`` holds ``placements`` (none: it
        holds no host, or it is gone)."""
        before = self._seen_of.pop(server_uid, ())
        for placed in placements:
            self._seen[placed.uid] = placed
        now = tuple(p.uid for p in placements)
        if now:
            self._seen_of[server_uid] = now
        if not now:  # it holds nothing (any more): a release of it has done its work
            self._released -= {server_uid, server_uid + HOLD_SUFFIX}
        for uid in set(before) - set(now):
            self._seen.pop(uid, None)
            self._released.discard(uid)  # the view has dropped it: forget the release
        for uid in set(before) | set(now):
            self._refresh(uid)

    def _sync(self, hosts: Hosts) -> None:
        """Without a feed: take the view's placements from a full listing (O(servers))."""
        if self._followed:
            return
        listed = {placed.uid: placed for placed in hosts.placements()}
        self._released &= listed.keys()  # once the view has dropped them, forget them
        for uid in [uid for uid in self._seen if uid not in listed]:
            del self._seen[uid]
            self._refresh(uid)
        for uid, placed in listed.items():
            if self._seen.get(uid) != placed:
                self._seen[uid] = placed
                self._refresh(uid)

    def _refresh(self, uid: str) -> None:
        """Recount the placement ``uid`` from the view's copy, the own claim and releases."""
        seen, own = self._seen.get(uid), self._own.get(uid)
        if own is not None:
            # The view knows whether the server is still building or moving (IoOpsFilter); a
            # placement it has not seen yet is a build that just started.
            if seen is None:
                self._usage.put(dataclasses.replace(own, io_op=True))
            else:
                self._usage.put(dataclasses.replace(own, io_op=seen.io_op, failed_build=seen.failed_build))
        elif seen is not None and uid not in self._released:
            self._usage.put(seen)
        else:
            self._usage.drop(uid)

    def _claim(self, placed: PlacedServer) -> None:
        self._own[placed.uid] = placed
        self._refresh(placed.uid)

    def _unclaim(self, placed: PlacedServer) -> None:
        if self._own.get(placed.uid) is placed:
            del self._own[placed.uid]
            self._refresh(placed.uid)

    # ----- deciding -----------------------------------------------------------------------------

    def _states(self, hosts: Hosts, overrides: Mapping[str, PlacedServer | None]) -> list[HostState]:
        """Every host's state from the totals, with ``overrides`` (placement uid → what it holds
        in this decision instead: ``None`` nothing) applied to the hosts concerned."""
        states = self._hosts.states(hosts.compute_nodes(), hosts.aggregate_infos(), self._usage)
        changes = [(self._usage.get(uid), replacement) for uid, replacement in overrides.items()]
        if any(counted is not None or replacement is not None for counted, replacement in changes):
            by_name = {state.name: state for state in states}
            for counted, replacement in changes:
                if counted is not None and counted.host in by_name:
                    by_name[counted.host].add_placed(counted, -1)
                if replacement is not None and replacement.host in by_name:
                    by_name[replacement.host].add_placed(replacement)
        return states

    async def place(
        self,
        spec: RequestSpec,
        hosts: Hosts,
        persist: Persist,
        admit: Admit | None = None,
        *,
        prepare: Prepare | None = None,
    ) -> str | None:
        """Choose a host for ``spec`` and claim it under the lock, then persist it.

        Raises ``NoValidHost`` when nothing fits, and whatever ``admit`` raises (quota) before
        anything is chosen. Returns the Server's host afterwards (which is
        an earlier placement if one raced us), or ``None`` if the Server is gone.
        """
        async with self._lock:
            spec = prepare(spec) if prepare is not None else spec
            self._sync(hosts)
            uid = spec.instance_uid
            overrides: dict[str, PlacedServer | None] = {uid: None}
            if admit is not None:
                admit(Held(self._usage, overrides))
            chosen = copy.copy(select_destination(spec, self._states(hosts, overrides), self._config))
            claim = PlacedServer(uid, chosen.name, spec.vcpus, spec.memory_mb, spec.disk_gb)
            self._claim(claim)
        try:
            host = await persist(chosen)
        except k8s.KubeError as error:
            if error.status < 500:  # refused, so certainly not persisted
                self._unclaim(claim)
            raise
        if host is None:
            self._unclaim(claim)
        elif host != chosen.name and self._own.get(uid) is claim:
            self._claim(dataclasses.replace(claim, host=host))
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
        claim it under the lock, then persist it. The server keeps ``source`` (its current
        placement) and the target is held under ``<uid>/resize`` until confirm or revert. Raises
        ``NoValidHost``, and what ``admit`` raises (the quota recheck of the growth) before
        anything is chosen."""
        async with self._lock:
            spec = prepare(spec) if prepare is not None else spec
            self._sync(hosts)
            uid = spec.instance_uid
            hold = uid + HOLD_SUFFIX
            overrides: dict[str, PlacedServer | None] = {hold: None, uid: source}
            if admit is not None:
                admit(Held(self._usage, overrides))
            states = [state for state in self._states(hosts, overrides) if state.name not in ignore_hosts]
            chosen = copy.copy(select_destination(spec, states, self._config))
            self._claim(source)
            claim = PlacedServer(hold, chosen.name, spec.vcpus, spec.memory_mb, spec.disk_gb)
            self._claim(claim)
        try:
            host = await persist(chosen)
        except k8s.KubeError as error:
            if error.status < 500:
                self._unclaim(claim)
            raise
        if host is None:
            self._unclaim(claim)
        return host

    async def place_set(
        self,
        collect: Callable[[], Sequence[RequestSpec]],
        hosts: Hosts,
        persist: PersistMember,
        refuse: Refuse,
        admit: AdmitSet | None = None,
    ) -> None:
        """Place the members of one multi-create request all together or not at all
        (``docs/operator.md`` "Multi-create: one request"). Under the lock: ``collect`` gives the
        members still to place; members this process already claimed a host for (a write that
        failed or is under way) keep it; the others are decided in one ``select_for_set`` after
        one quota recheck of them all, and every one is claimed. A refused set (quota,
        ``NoValidHost``) drops any claim of the set and goes to ``refuse``, still under the lock
        (so no other member decides the set again before its ERRORs are written). After the
        lock, each member is persisted in turn; a failed write does not stop the others and is
        raised at the end."""
        async with self._lock:
            specs = list(collect())
            self._sync(hosts)
            fresh = [spec for spec in specs if spec.instance_uid not in self._own]
            overrides: dict[str, PlacedServer | None] = {spec.instance_uid: None for spec in fresh}
            states = self._states(hosts, overrides)
            try:
                if fresh and admit is not None:
                    admit(Held(self._usage, overrides), fresh)
                chosen = select_for_set(fresh, states, self._config) if fresh else []
            except (NoValidHost, QuotaExceeded) as error:
                for spec in specs:  # all or nothing: an earlier claim of the set goes too
                    claimed = self._own.get(spec.instance_uid)
                    if claimed is not None:
                        self._unclaim(claimed)
                if not await refuse(specs, error):
                    raise
                return
            for spec, state in zip(fresh, chosen, strict=True):
                self._claim(
                    PlacedServer(spec.instance_uid, state.name, spec.vcpus, spec.memory_mb, spec.disk_gb)
                )
            by_name = {state.name: copy.copy(state) for state in states}  # kept past the lock
            claims = [(spec, self._own[spec.instance_uid]) for spec in specs]
        await self._persist_set(claims, by_name, persist)

    async def _persist_set(
        self,
        claims: Sequence[tuple[RequestSpec, PlacedServer]],
        by_name: Mapping[str, HostState],
        persist: PersistMember,
    ) -> None:
        """Write each member's claimed host in turn (``place_set``, after the lock)."""
        failed: k8s.KubeError | None = None
        for spec, claim in claims:
            found = by_name.get(claim.host)
            if found is None:  # its Node went away meanwhile: decided again later
                self._unclaim(claim)
                continue
            try:
                host = await persist(spec, found)
            except k8s.KubeError as error:
                if error.status < 500:  # refused, so certainly not persisted
                    self._unclaim(claim)
                failed = failed or error
                continue
            if host is None:
                self._unclaim(claim)
            elif host != claim.host and self._own.get(spec.instance_uid) is claim:
                self._claim(dataclasses.replace(claim, host=host))
        if failed is not None:
            raise failed

    async def validate_host(self, spec: RequestSpec, hosts: Hosts) -> None:
        """Check ``spec`` against its forced host's state as placement sees it now, claiming
        nothing (a rebuild to a new image: ``selection.validate_host``); ``NoValidHost``."""
        async with self._lock:
            self._sync(hosts)
            validate_host(spec, self._states(hosts, {}), self._config)

    # ----- settling -----------------------------------------------------------------------------

    def settle(self, uid: str, placed: PlacedServer | None) -> None:
        """A resize was confirmed or reverted (``placed``: where the server is now) or a
        resize's target was never persisted (``None``): only one placement is held again."""
        hold = uid + HOLD_SUFFIX
        self._own.pop(hold, None)
        self._released.add(hold)
        self._refresh(hold)
        if placed is not None:
            self._claim(placed)

    def usage(self, indexed: Iterable[PlacedServer], *, exclude: str | None = None) -> list[PlacedServer]:
        """Every placement known: persisted (the view's feed, else ``indexed``) overlaid with this
        process's own, minus servers already released (their Server may linger in the view)."""
        if not self._followed:
            listing = list(indexed)
            self._sync(_Listed(listing))
        return [placed for placed in self._usage if placed.uid != exclude]

    def release(self, uid: str) -> None:
        """The server's VM is gone: its capacity is free from now on."""
        self._own.pop(uid, None)
        self._released.add(uid)
        self._refresh(uid)
        self.settle(uid, None)


@dataclasses.dataclass
class _Listed:
    """A listing of placements as ``Hosts.placements`` gives it (``usage`` without a feed)."""

    listed: list[PlacedServer]

    def placements(self) -> list[PlacedServer]:
        return self.listed

    def compute_nodes(self) -> list[NodeInfo]:
        return []

    def aggregate_infos(self) -> list[AggregateInfo]:
        return []
