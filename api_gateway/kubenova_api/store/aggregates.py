"""Aggregate CRs by Nova's integer aggregate id (``spec.id``), and availability zones of hosts.

**Ids.** Nova's ids are database autoincrements. Here the gateway picks ``max(id) + 1`` and
creates the object under the name ``aggregate-<id>``, a function of the id alone: two replicas
that pick the same id collide at the API server (409 AlreadyExists) and the loser takes the next
one. Aggregates made with kubectl may be named anything; the operator gives those without an id
one, and the API lists an aggregate only once it has an id. Because the operator may hand out an
id at the same moment, a create re-lists the aggregates from the API server afterwards and, if
another aggregate holds its id, gives the id up and takes the next.

**Names** are unique as in Nova (409). The check reads the cache; the same fresh listing after a
create settles a race between replicas: of two aggregates with one name, the one created later
is deleted again and its creator answers 409.

**Zones.** A host's zone is the zone of the first zoned aggregate (by name) that lists it, else
the default zone, exactly the rule the operator's scheduler and Node labels use. The API keeps
hosts from landing in two zones, but kubectl can, so the tie-break matters.

Host lists are changed with a read-modify-write guarded by the object's resourceVersion, so
concurrent ``add_host`` calls on one aggregate never lose a host.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from typing import Any

from kubenova import k8s
from kubenova.resources import Aggregate
from kubenova.resources.aggregate import AggregateSpec
from kubenova_api import errors
from kubenova_api.store.custom_resources import CustomResourceStore
from kubenova_api.store.kube import call

log = logging.getLogger(__name__)

OBJECT_NAME_PREFIX = "aggregate-"
_OBJECT_NAME = re.compile(r"^aggregate-([1-9][0-9]*)$")
_CREATE_ATTEMPTS = 20


def object_name_for(aggregate_id: int) -> str:
    return f"{OBJECT_NAME_PREFIX}{aggregate_id}"


def not_found(aggregate_id: int | str) -> errors.NotFoundError:
    return errors.NotFoundError(f"Aggregate {aggregate_id} could not be found.")


def _revision(aggregate: Aggregate) -> int:
    """An object's resourceVersion as a number (etcd revisions are; 0 if not)."""
    version = aggregate.metadata.resource_version or ""
    return int(version) if version.isdigit() else 0


def zone_of(host: str, aggregates: list[Aggregate], default_zone: str) -> str:
    """The availability zone ``host`` is in (the operator's rule; see the module docstring)."""
    member_of = sorted((a for a in aggregates if host in a.spec.hosts), key=lambda a: a.display_name)
    return next((a.spec.availability_zone for a in member_of if a.spec.availability_zone), default_zone)


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
        return sorted((a for a in self.crs.list() if a.spec.id is not None), key=lambda a: a.spec.id or 0)

    def find(self, aggregate_id: int) -> Aggregate | None:
        return next((a for a in self.crs.list() if a.spec.id == aggregate_id), None)

    def get(self, aggregate_id: int) -> Aggregate:
        aggregate = self.find(aggregate_id)
        if aggregate is None:
            raise not_found(aggregate_id)
        return aggregate

    def find_by_name(self, name: str) -> Aggregate | None:
        return next((a for a in self.crs.list() if a.display_name == name), None)

    def zone_of(self, host: str, default_zone: str) -> str:
        return zone_of(host, self.crs.list(), default_zone)

    def containing(self, host: str) -> list[Aggregate]:
        return [a for a in self.crs.list() if host in a.spec.hosts]

    # -- writes ----------------------------------------------------------------------------------
    async def create(self, name: str, availability_zone: str | None) -> Aggregate:
        """Create an aggregate with a fresh id; ``AlreadyExistsError`` if the name is taken."""
        if self.find_by_name(name) is not None:
            raise errors.AlreadyExistsError(f"Aggregate {name} already exists.")
        candidate = self._next_id()
        for _ in range(_CREATE_ATTEMPTS):
            spec = AggregateSpec(id=candidate, name=name, availability_zone=availability_zone)
            try:
                created = await self.crs.create(
                    Aggregate.body(object_name_for(candidate), spec), what=f"Aggregate {candidate}"
                )
            except errors.AlreadyExistsError:
                candidate = max(candidate + 1, self._next_id())
                continue
            if await self._settle(created):
                return created
            candidate = max(candidate + 1, self._next_id())
        raise errors.ConflictError("Could not allocate an aggregate id; retry the request.")

    async def _settle(self, created: Aggregate) -> bool:
        """After a create: keep it (True), or undo it because its id is taken (False) or its
        name lost a race (``AlreadyExistsError``). Compares against a fresh listing.

        Of two aggregates with one name, the one created later loses. A creator that does not
        see the other in its listing is necessarily the earlier one, so both sides agree. The
        creation order is the etcd revision of each create: ours is the resourceVersion the
        create returned, and a brand-new aggregate is not modified before its creator settles.
        """
        others = [a for a in await self._list_fresh() if a.metadata.name != created.metadata.name]
        our_id = created.spec.id or 0
        if any(a.spec.id == our_id for a in others):
            log.info("aggregate id %d was taken concurrently; taking another", our_id)
            await self._delete_quietly(created)
            return False
        ours = _revision(created)
        if any(a.display_name == created.display_name and _revision(a) < ours for a in others):
            await self._delete_quietly(created)
            raise errors.AlreadyExistsError(f"Aggregate {created.display_name} already exists.")
        return True

    def _next_id(self) -> int:
        used = [a.spec.id or 0 for a in self.crs.list()]
        used += [int(m.group(1)) for a in self.crs.list() if (m := _OBJECT_NAME.match(a.metadata.name))]
        return max(used, default=0) + 1

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
    async def _list_fresh(self) -> list[Aggregate]:
        raw = await call("Aggregates", self._kube.list(self.crs.kind))
        return [Aggregate.model_validate(item) for item in raw]

    async def _delete_quietly(self, aggregate: Aggregate) -> None:
        with contextlib.suppress(errors.NotFoundError):
            await self.crs.delete(aggregate, what=_what(aggregate))


def _what(aggregate: Aggregate) -> str:
    return f"Aggregate {aggregate.spec.id}"
