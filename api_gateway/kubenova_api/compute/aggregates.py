"""``/os-aggregates`` decisions: Nova's rules for host aggregates and the zones they define.

- a host is in at most one zone: adding it to a zoned aggregate while another aggregate puts it
  in a different zone is a 409, renaming a zone its hosts are already in elsewhere a 400, and a
  zone cannot be renamed while its hosts run servers (their ``availability_zone`` would lie);
- ``availability_zone`` can be set but never emptied (Nova: "does not support empty named
  availability zone"), through PUT and through ``set_metadata`` alike;
- ``set_metadata`` merges: a ``null`` value deletes the key;
- a non-empty aggregate cannot be deleted (400);
- unlike Nova, a member whose Node is gone can still be removed: Nodes come and go, and an
  aggregate listing a vanished host could otherwise never be emptied (nor deleted).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kubenova.resources import Aggregate
from kubenova_api import errors
from kubenova_api.schemas.aggregates import AggregateUpdate
from kubenova_api.settings import Settings
from kubenova_api.store import Store

# How Nova words an invalid aggregate action, per action (its InvalidAggregateAction* family).
_ADD = "Cannot add host to aggregate {id}. Reason: {reason}."
_UPDATE = "Cannot update aggregate {id}. Reason: {reason}."
_UPDATE_META = "Cannot update metadata of aggregate {id}. Reason: {reason}."
_DELETE = "Cannot remove host from aggregate {id}. Reason: {reason}."


def _check_zone(
    store: Store,
    aggregate: Aggregate,
    zone: str | None,
    *,
    hosts: Iterable[str],
    template: str,
    error: type[errors.GatewayError],
) -> None:
    """Nova's ``is_safe_to_update_az`` for putting ``hosts`` of ``aggregate`` into ``zone``."""
    agg_id = aggregate.status.id
    if not zone:
        reason = f"Aggregate {aggregate.display_name} does not support empty named availability zone"
        raise error(template.format(id=agg_id, reason=reason))
    hosts = set(hosts)
    conflicting = [
        other.spec.availability_zone
        for other in store.aggregates.all()
        if other.metadata.name != aggregate.metadata.name
        and other.spec.availability_zone
        and other.spec.availability_zone != zone
        and hosts & set(other.spec.hosts)
    ]
    if conflicting:
        reason = f"One or more hosts already in availability zone(s) {conflicting}"
        raise error(template.format(id=agg_id, reason=reason))


def _check_rezone(store: Store, aggregate: Aggregate, zone: str | None, template: str) -> None:
    """A zone cannot change under servers already placed in it."""
    if zone == aggregate.spec.availability_zone:
        return
    hosts = set(aggregate.spec.hosts)
    if any(server.status.host in hosts for server in store.servers.list()):
        reason = "One or more hosts contain instances in this zone."
        raise errors.BadRequestError(template.format(id=aggregate.status.id, reason=reason.rstrip(".")))


async def create(store: Store, settings: Settings, name: str, zone: str | None) -> Aggregate:
    """A new aggregate, answered once the operator has given it its id."""
    return await store.aggregates.create(name, zone, id_timeout=settings.aggregate_id_timeout_seconds)


async def update(store: Store, aggregate_id: int, update: AggregateUpdate) -> Aggregate:
    aggregate = store.aggregates.get(aggregate_id)
    changes: dict[str, Any] = {}
    name = update.name.strip() if update.name is not None else None  # Nova's normalize_name
    if name is not None and name != aggregate.display_name:
        if store.aggregates.find_by_name(name) is not None:
            raise errors.AlreadyExistsError(f"Aggregate {name} already exists.")
        changes["name"] = name
    if "availability_zone" in update.model_fields_set:
        zone = update.availability_zone
        _check_zone(
            store, aggregate, zone, hosts=aggregate.spec.hosts, template=_UPDATE, error=errors.BadRequestError
        )
        _check_rezone(store, aggregate, zone, _UPDATE)
        changes["availabilityZone"] = zone
    if changes:
        aggregate = await store.aggregates.patch_spec(aggregate, changes)
    return aggregate


_DELETE_ATTEMPTS = 5


async def delete(store: Store, aggregate_id: int) -> None:
    """Delete an empty aggregate. The delete is conditional on the version that was checked (a
    host added meanwhile must not be lost); a conflict from a write that changed no hosts (the
    operator's status) is not the caller's, so the check runs again on the aggregate as stored."""
    aggregate: Aggregate | None = store.aggregates.get(aggregate_id)
    for _ in range(_DELETE_ATTEMPTS):
        if aggregate is None:
            raise errors.NotFoundError(f"Aggregate {aggregate_id} could not be found.")
        if aggregate.spec.hosts:
            reason = "Host aggregate is not empty"
            raise errors.BadRequestError(_DELETE.format(id=aggregate_id, reason=reason))
        try:
            await store.aggregates.delete(aggregate)
            return
        except errors.ConflictError:
            aggregate = await store.aggregates.fresh(aggregate)
    raise errors.ConflictError(f"Aggregate {aggregate_id} was modified concurrently; retry the request.")


async def add_host(store: Store, aggregate_id: int, host: str) -> Aggregate:
    if store.nodes.get(host) is None:
        raise errors.NotFoundError(f"Compute host {host} could not be found.")
    aggregate = store.aggregates.get(aggregate_id)

    def add(current: Aggregate) -> list[str]:
        if current.spec.availability_zone:
            _check_zone(
                store,
                current,
                current.spec.availability_zone,
                hosts=[host],
                template=_ADD,
                error=errors.ConflictError,
            )
        if host in current.spec.hosts:
            raise errors.ConflictError(f"Aggregate {aggregate_id} already has host {host}.")
        return [*current.spec.hosts, host]

    return await store.aggregates.update_hosts(aggregate, add)


async def remove_host(store: Store, aggregate_id: int, host: str) -> Aggregate:
    refused = errors.NotFoundError(f"Cannot remove host {host} in aggregate {aggregate_id}")
    aggregate = store.aggregates.find(aggregate_id)
    if aggregate is None:
        raise refused

    def remove(current: Aggregate) -> list[str]:
        if host not in current.spec.hosts:
            raise refused
        return [h for h in current.spec.hosts if h != host]

    return await store.aggregates.update_hosts(aggregate, remove)


async def set_metadata(store: Store, aggregate_id: int, metadata: dict[str, str | None]) -> Aggregate:
    aggregate = store.aggregates.get(aggregate_id)
    changes: dict[str, Any] = {}
    if "availability_zone" in metadata:
        zone = metadata.pop("availability_zone")
        _check_zone(
            store,
            aggregate,
            zone,
            hosts=aggregate.spec.hosts,
            template=_UPDATE_META,
            error=errors.BadRequestError,
        )
        _check_rezone(store, aggregate, zone, _UPDATE_META)
        changes["availabilityZone"] = zone
    if metadata:
        changes["metadata"] = metadata
    if not changes:
        return aggregate
    return await store.aggregates.patch_spec(aggregate, changes)
