"""What every handler shares: settings, the Kubernetes client, the cluster view, locks, the
placement ledger and the Event poster.

Built once in ``__main__`` and handed to kopf as the operator-level ``memo`` (kopf passes a
shallow copy to each handler), so handlers get their dependencies explicitly instead of from
module globals, and tests can build an isolated one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from typing import Any

import kopf

from kubenova import k8s
from kubenova.events import EventPoster
from kubenova.handlers.cluster_view import ClusterView
from kubenova.handlers.quota_limits import QuotaLimits
from kubenova.handlers.servers.build_slots import BuildSlots
from kubenova.handlers.servers.ledger import PlacementLedger
from kubenova.handlers.view_keys import ServerRef
from kubenova.settings import Settings

__all__ = ["Runtime", "ServerLocks", "ServerRef", "of"]


@dataclass
class ServerLocks:
    """One lock per Server: every operation on a Server (build, power, reboot, delete, status
    observation) runs under it, so two of them never interleave their read-decide-write steps."""

    _locks: dict[ServerRef, asyncio.Lock] = field(default_factory=dict)

    @contextlib.asynccontextmanager
    async def hold(self, ref: ServerRef) -> AsyncIterator[None]:
        lock = self._locks.setdefault(ref, asyncio.Lock())
        async with lock:
            yield

    def busy(self, ref: ServerRef) -> bool:
        lock = self._locks.get(ref)
        return lock is not None and lock.locked()

    def forget(self, ref: ServerRef) -> None:
        """Drop the lock of a Server that is gone (only when nobody holds it)."""
        lock = self._locks.get(ref)
        if lock is not None and not lock.locked():
            del self._locks[ref]


@dataclass
class Runtime:
    settings: Settings
    client: k8s.Client
    view: ClusterView
    ledger: PlacementLedger
    events: EventPoster
    locks: ServerLocks = field(default_factory=ServerLocks)
    aggregates_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    background: set[asyncio.Task[None]] = field(default_factory=set)
    retrying: set[ServerRef] = field(default_factory=set)
    failures: dict[ServerRef, int] = field(default_factory=dict)
    recorded: set[str] = field(default_factory=set)
    """Deleted-server records this process wrote (so a repeated teardown step does not re-create)."""
    records: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """Every ServerRecord seen: (namespace, name) → (uid, terminatedAt) (``handlers.server_records``)."""
    quotas: QuotaLimits | None = None
    """The project quotas enforced before placing (None: none, as in unit tests)."""
    build_slots: BuildSlots = field(default_factory=lambda: BuildSlots(0))
    """Builds per host, for ``max_concurrent_builds`` (unlimited unless ``create`` sets it)."""

    @classmethod
    def create(cls, settings: Settings, client: k8s.Client) -> Runtime:
        view, ledger = (
            ClusterView(settings.compute_node_selector),
            PlacementLedger(settings.scheduler_config()),
        )
        ledger.follow(view.feed)  # before kopf's first listing feeds the view
        build_slots = BuildSlots(settings.max_concurrent_builds)
        build_slots.follow(view)
        return cls(
            settings=settings,
            client=client,
            view=view,
            ledger=ledger,
            events=EventPoster(client),
            quotas=QuotaLimits(client.transport, settings.identity_namespace, settings.quota_defaults()),
            build_slots=build_slots,
        )

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run ``coro`` in the background, kept referenced until it ends."""
        task = asyncio.get_running_loop().create_task(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)


def of(memo: kopf.Memo) -> Runtime:
    """The runtime from a handler's ``memo``."""
    runtime = memo.get("runtime")
    if not isinstance(runtime, Runtime):
        raise kopf.PermanentError("kubenova runtime missing from memo: operator not started by kubenova")
    return runtime
