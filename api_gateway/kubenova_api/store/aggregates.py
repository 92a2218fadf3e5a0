"""Aggregate CRs by Nova's integer aggregate id, ``status.id``: the operator allocates it (the one
allocator), the gateway reads it.

**Create.** The gateway creates an Aggregate without an id (``generateName``) and waits, on its
watch cache and bounded by ``Settings.aggregate_id_timeout_seconds``, for the operator to write
``status.id`` before it answers; the API lists an aggregate only once it has an id. Ids are never
contended by the gateway, so a caller alone never meets a conflict it did not cause.

**Names** are unique as in Nova (409). The check reads the cache; a fresh listing once the new
aggregate has its id settles a race between creators of one name: the aggregate with the lowest
id keeps it, the others are deleted again and their creators answer 409. Both sides agree
because ids increase in allocation order: a creator that does not see the other in its listing
(or sees it still without an id) holds the lower id, and the other creator sees it.

Host lists are changed with a read-modify-write guarded by the object's resourceVersion, so
concurrent ``add_host`` calls on one aggregate never lose a host.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from kubenova import k8s
from kubenova.resources import Aggregate
from kubenova.resources.aggregate import AggregateSpec
from kubenova_api import errors
from kubenova_api.store import naming
from kubenova_api.store.custom_resources import CustomResourceStore
from kubenova_api.store.kube import call

log = logging.getLogger(__name__)

OBJECT_NAME_PREFIX = "aggregate-"
_ID_POLL_SECONDS = 0.05


def not_found(aggregate_id: int | str) -> errors.NotFoundError:
    return errors.NotFoundError(f"Aggregate {aggregate_id} could not be found.")


def _what(aggregate: Aggregate) -> str:
    return f"Aggregate {aggregate.status.id or aggregate.display_name}"


class AggregateStore:
    """Nova's view of the cluster-scoped Aggregate kind."""

    def __init__(self, kube: k8s.Client, crs: CustomResourceStore[Aggregate]) -> None:
        self.crs = crs
        self._kube = kube

    # -- reads (cache) -------------------------------------------------------------------------
    def all(self) -> list[Aggregate]:
        """Every Aggregate object, including those still waiting for an id."""
        return self.crs.list()

    def numbered(self) -> list[Aggregate]:
        """The aggregates the API shows (those with an id), by id."""
        return sorted((a for a in self.crs.list() if a.status.id is not None), key=lambda a: a.status.id or 0)

    def find(self, aggregate_id: int) -> Aggregate | None:
        return next((a for a in self.crs.list() if a.status.id == aggregate_id), None)

    def get(self, aggregate_id: int) -> Aggregate:
        aggregate = self.find(aggregate_id)
        if aggregate is None:
            raise not_found(aggregate_id)
        return aggregate

    def find_by_name(self, name: str) -> Aggregate | None:
        return next((a for a in self.crs.list() if a.display_name == name), None)

    # -- writes ----------------------------------------------------------------------------------
    async def create(self, name: str, availability_zone: str | None, *, id_timeout: float) -> Aggregate:
        """Create an aggregate and wait for its id; ``AlreadyExistsError`` if the name is taken."""
        if self.find_by_name(name) is not None:
            raise errors.AlreadyExistsError(f"Aggregate {name} already exists.")
        spec = AggregateSpec(name=name, availability_zone=availability_zone)
        body = Aggregate.body("", spec)
        readable = naming.slug(name, max_length=40)
        body["metadata"] = {
            "generateName": f"{OBJECT_NAME_PREFIX}{readable}-" if readable else OBJECT_NAME_PREFIX
        }
        created = await self.crs.create(body, what=f"Aggregate {name}")
        try:
            numbered = await self._numbered(created, id_timeout)
            await self._settle_name(numbered)
        except errors.GatewayError:
            await self._delete_quietly(created)
            raise
        return numbered

    async def _numbered(self, created: Aggregate, timeout: float) -> Aggregate:
        """``created`` once the operator gave it its id (as the watch cache sees it)."""
        deadline = time.monotonic() + timeout
        while True:
            current = self.crs.get(created.metadata.name)
            if current is not None and current.metadata.uid == created.metadata.uid and current.status.id:
                return current
            if time.monotonic() > deadline:
                log.warning("Aggregate %s got no id within %.0f s", created.metadata.name, timeout)
                raise errors.UnavailableError(
                    f"Aggregate {created.display_name} was not given an id in time (is the kubenova "
                    "operator running?); retry the request."
                )
            await asyncio.sleep(_ID_POLL_SECONDS)

    async def _settle_name(self, ours: Aggregate) -> None:
        """``AlreadyExistsError`` when another aggregate of the same name holds a lower id."""
        our_id = ours.status.id or 0
        for other in await self._list_fresh():
            if other.metadata.uid == ours.metadata.uid or other.display_name != ours.display_name:
                continue
            if other.status.id is not None and other.status.id < our_id:
                raise errors.AlreadyExistsError(f"Aggregate {ours.display_name} already exists.")

    async def patch_spec(self, aggregate: Aggregate, changes: dict[str, Any]) -> Aggregate:
        """Merge-patch ``spec`` fields (camelCase keys; ``None`` removes a key)."""
        return await self.crs.patch(aggregate, {"spec": changes}, what=_what(aggregate))

    async def update_hosts(self, aggregate: Aggregate, change: Callable[[Aggregate], list[str]]) -> Aggregate:
        """Replace the host list with ``change(current)``, re-reading and retrying if another
        writer changed the aggregate in between. ``change`` may raise to refuse."""
        return await self.crs.modify(
            aggregate, lambda current: {"spec": {"hosts": change(current)}}, what=_what(aggregate)
        )

    async def delete(self, aggregate: Aggregate) -> None:
        """Delete, but only the version that was checked (a host added meanwhile makes it a 409)."""
        version = aggregate.metadata.resource_version
        await self.crs.delete(aggregate, what=_what(aggregate), resource_version=version)

    # -- fresh reads (API server) ------------------------------------------------------------------
    async def fresh(self, aggregate: Aggregate) -> Aggregate | None:
        """``aggregate`` as stored now, ``None`` once it is gone."""
        return await self.crs.read(aggregate, what=_what(aggregate))

    async def _list_fresh(self) -> list[Aggregate]:
        raw = await call("Aggregates", self._kube.list(self.crs.kind))
        return [Aggregate.model_validate(item) for item in raw]

    async def _delete_quietly(self, aggregate: Aggregate) -> None:
        with contextlib.suppress(errors.NotFoundError):
            await self.crs.delete(aggregate, what=_what(aggregate))
