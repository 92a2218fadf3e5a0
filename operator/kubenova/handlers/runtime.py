"""What every handler shares: settings, the Kubernetes client, locks and the placement ledger.

Built once in ``__main__`` and handed to kopf as the operator-level ``memo`` (kopf passes a
shallow copy to each handler), so handlers get their dependencies explicitly instead of from
module globals, and tests can build an isolated one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import NamedTuple

import kopf

from kubenova import k8s
from kubenova.handlers.servers import placement
from kubenova.settings import Settings


class ServerRef(NamedTuple):
    namespace: str
    name: str

    @classmethod
    def of(cls, body: kopf.Body) -> ServerRef:
        return cls(body.metadata.namespace or "", body.metadata.name or "")

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


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

    def forget(self, ref: ServerRef) -> None:
        """Drop the lock of a Server that is gone (only when nobody holds it)."""
        lock = self._locks.get(ref)
        if lock is not None and not lock.locked():
            del self._locks[ref]


@dataclass
class Runtime:
    settings: Settings
    client: k8s.Client
    placement: placement.Placement
    locks: ServerLocks = field(default_factory=ServerLocks)
    aggregates_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def create(cls, settings: Settings, client: k8s.Client) -> Runtime:
        return cls(
            settings=settings,
            client=client,
            placement=placement.Placement(client, settings),
        )


def of(memo: kopf.Memo) -> Runtime:
    """The runtime from a handler's ``memo``."""
    runtime = memo.get("runtime")
    if not isinstance(runtime, Runtime):
        raise kopf.PermanentError("kubenova runtime missing from memo: operator not started by kubenova")
    return runtime
