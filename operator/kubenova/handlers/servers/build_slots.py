"""Which servers are building on which host, for ``max_concurrent_builds``
(``domain.concurrent_builds``): kept from every copy of a Server the view is told of, so it is
rebuilt from the watch after a restart and needs no state of its own.

``build.spawn`` asks ``may_start`` before it creates a VM; a build that may not waits, placed on its
host (BUILD/spawning) without a VM. When a build on a host ends (the server leaves building, or
goes), the waiting builds that now may start are handed to ``on_free`` (the operator reconciles
them), so a slot is taken up at once, not at the next resync.
"""

from __future__ import annotations

from collections.abc import Callable

from kubenova.domain import concurrent_builds
from kubenova.domain.concurrent_builds import Build
from kubenova.handlers.cluster_view import ClusterView
from kubenova.handlers.view_keys import ServerRef
from kubenova.resources.server import Server
from kubenova.resources.states import VmState


def _building_on(server: Server) -> str | None:
    """The host ``server`` is building on, if it is."""
    building = server.status.vm_state is VmState.BUILDING and not server.metadata.deletion_timestamp
    return server.status.host if building else None


QueueKey = tuple[str, str, str]
"""A build's place in its host's queue: the Server's creationTimestamp, namespace and name."""


def _key(server: Server) -> QueueKey:
    meta = server.metadata
    return str(meta.creation_timestamp or ""), meta.namespace or "", meta.name


class BuildSlots:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.on_free: Callable[[list[ServerRef]], None] = lambda refs: None
        self._has_vm: Callable[[ServerRef], bool] = lambda ref: False
        self._queued: dict[str, dict[str, QueueKey]] = {}  # host -> server uid -> its queue key
        self._host_of: dict[str, str] = {}  # server uid -> the host it builds on

    def follow(self, view: ClusterView) -> None:
        """Be told of every Server the view sees; read the VMs from it."""
        self._has_vm = view.has_vm
        view.feed.follow(self._told)

    def may_start(self, server: Server) -> bool:
        """Whether ``server`` (placed, building, without a VM) may create its VM now."""
        host = _building_on(server)
        if self.limit <= 0 or host is None:
            return True
        mine = self._build(_key(server))
        builds = [*self._current(host, exclude=server.metadata.uid), mine]
        return concurrent_builds.may_start(mine, builds, self.limit)

    def _told(self, uid: str, server: Server | None) -> None:
        host = _building_on(server) if server is not None else None
        before = self._host_of.pop(uid, None)
        if before is not None:
            on_host = self._queued.get(before, {})
            on_host.pop(uid, None)
            if not on_host:
                self._queued.pop(before, None)
        if host is not None and server is not None:
            self._host_of[uid] = host
            self._queued.setdefault(host, {})[uid] = _key(server)
        if before is not None and before != host and self.limit > 0:
            self._free(before)

    def _free(self, host: str) -> None:
        """A build on ``host`` ended: wake the waiting ones that may start now."""
        admitted = concurrent_builds.admitted(self._current(host), self.limit)
        woken = [ServerRef(b.namespace, b.name) for b in admitted if not b.started]
        if woken:
            self.on_free(woken)

    def _current(self, host: str, exclude: str | None = None) -> list[Build]:
        """The builds on ``host``, each marked started if its VM is in view now."""
        return [self._build(key) for uid, key in self._queued.get(host, {}).items() if uid != exclude]

    def _build(self, key: QueueKey) -> Build:
        created, namespace, name = key
        return Build(created, namespace, name, started=self._has_vm(ServerRef(namespace, name)))
