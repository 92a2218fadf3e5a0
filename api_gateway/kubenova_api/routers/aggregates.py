"""``/os-aggregates`` (admin): host aggregates and the availability zones they define.

Backed by Aggregate CRs (``store.aggregates``); the operator labels the member Nodes and
schedules by them. Nova's rules kept here:

- path ids are integers: anything else is a 400 (OSC's name lookup relies on it), checked after
  the policy as Nova does;
- create answers without ``hosts``/``metadata``; delete answers 200 with no body (Nova's legacy
  codes); a non-empty aggregate cannot be deleted (400);
- a host is in at most one zone: adding it to a zoned aggregate while another aggregate puts it
  in a different zone is a 409, renaming a zone its hosts are already in elsewhere a 400, and a
  zone cannot be renamed while its hosts run servers (their ``availability_zone`` would lie);
- ``availability_zone`` can be set but never emptied (Nova: "does not support empty named
  availability zone"), through PUT and through ``set_metadata`` alike;
- ``set_metadata`` merges: a ``null`` value deletes the key.

The actions (add_host, remove_host, set_metadata) arrive without a microversion header from
OSC, so they behave the same at every version.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from kubenova.resources import Aggregate
from kubenova_api import errors, policy
from kubenova_api.deps import Context, JsonBody, StoreDep, Version, min_version
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.aggregates import (
    AddHostRequest,
    AggregateCreateRequest,
    AggregateUpdateRequest,
    CacheImagesRequest,
    RemoveHostRequest,
    SetMetadataRequest,
)
from kubenova_api.schemas.validation import parse_body
from kubenova_api.store import Store
from kubenova_api.store.aggregates import not_found
from kubenova_api.views import aggregates as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/os-aggregates")
_P = "os_compute_api:os-aggregates:"

# How Nova words an invalid aggregate action, per action (its InvalidAggregateAction* family).
_ADD = "Cannot add host to aggregate {id}. Reason: {reason}."
_UPDATE = "Cannot update aggregate {id}. Reason: {reason}."
_UPDATE_META = "Cannot update metadata of aggregate {id}. Reason: {reason}."
_DELETE = "Cannot remove host from aggregate {id}. Reason: {reason}."


def _parse_id(raw: str) -> int:
    """Nova's ``validate_integer(id, 'id')``."""
    try:
        return int(raw.strip())
    except ValueError:
        raise errors.BadRequestError("Invalid input received: id must be an integer") from None


def _one(aggregate: Aggregate, version: APIVersion) -> JSONResponse:
    return JSONResponse({"aggregate": views.show(aggregate, version)})


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
    agg_id = aggregate.spec.id
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
        raise errors.BadRequestError(template.format(id=aggregate.spec.id, reason=reason.rstrip(".")))


@router.get("")
async def list_aggregates(*, ctx: Context, version: Version, store: StoreDep) -> JSONResponse:
    policy.authorize(ctx, _P + "index")
    return JSONResponse({"aggregates": [views.show(a, version) for a in store.aggregates.numbered()]})


@router.post("")
async def create_aggregate(
    *, body: JsonBody, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    policy.authorize(ctx, _P + "create")
    request = parse_body(AggregateCreateRequest, body).aggregate
    aggregate = await store.aggregates.create(request.name, request.availability_zone)
    return JSONResponse({"aggregate": views.show(aggregate, version, members=False)})


@router.get("/{aggregate_id}")
async def show_aggregate(
    *, aggregate_id: str, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    policy.authorize(ctx, _P + "show")
    return _one(store.aggregates.get(_parse_id(aggregate_id)), version)


@router.put("/{aggregate_id}")
async def update_aggregate(
    *, aggregate_id: str, body: JsonBody, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    policy.authorize(ctx, _P + "update")
    update = parse_body(AggregateUpdateRequest, body).aggregate
    aggregate = store.aggregates.get(_parse_id(aggregate_id))
    changes: dict[str, Any] = {}
    if update.name is not None and update.name != aggregate.display_name:
        if store.aggregates.find_by_name(update.name) is not None:
            raise errors.AlreadyExistsError(f"Aggregate {update.name} already exists.")
        changes["name"] = update.name
    if "availability_zone" in update.model_fields_set:
        zone = update.availability_zone
        _check_zone(
            store, aggregate, zone, hosts=aggregate.spec.hosts, template=_UPDATE, error=errors.BadRequestError
        )
        _check_rezone(store, aggregate, zone, _UPDATE)
        changes["availabilityZone"] = zone
    if changes:
        aggregate = await store.aggregates.patch_spec(aggregate, changes)
    return _one(aggregate, version)


@router.delete("/{aggregate_id}")
async def delete_aggregate(*, aggregate_id: str, ctx: Context, store: StoreDep) -> Response:
    policy.authorize(ctx, _P + "delete")
    aggregate = store.aggregates.get(_parse_id(aggregate_id))
    if aggregate.spec.hosts:
        raise errors.BadRequestError(
            _DELETE.format(id=aggregate.spec.id, reason="Host aggregate is not empty")
        )
    await store.aggregates.delete(aggregate)
    return Response(status_code=200)


async def _add_host(store: Store, aggregate_id: int, host: str) -> Aggregate:
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


async def _remove_host(store: Store, aggregate_id: int, host: str) -> Aggregate:
    """Unlike Nova, a member whose Node is gone can still be removed: Nodes come and go, and an
    aggregate listing a vanished host could otherwise never be emptied (nor deleted) through the API."""
    refused = errors.NotFoundError(f"Cannot remove host {host} in aggregate {aggregate_id}")
    aggregate = store.aggregates.find(aggregate_id)
    if aggregate is None:
        raise refused

    def remove(current: Aggregate) -> list[str]:
        if host not in current.spec.hosts:
            raise refused
        return [h for h in current.spec.hosts if h != host]

    return await store.aggregates.update_hosts(aggregate, remove)


async def _set_metadata(store: Store, aggregate_id: int, metadata: dict[str, str | None]) -> Aggregate:
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


@router.post("/{aggregate_id}/action")
async def aggregate_action(
    *, aggregate_id: str, body: JsonBody, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    """Dispatch on the body's single key, as Nova's action routes do."""
    action = next(iter(body), None) if isinstance(body, dict) and len(body) == 1 else None
    if action == "add_host":
        policy.authorize(ctx, _P + "add_host")
        host = parse_body(AddHostRequest, body).add_host.host
        aggregate = await _add_host(store, _parse_id(aggregate_id), host)
    elif action == "remove_host":
        policy.authorize(ctx, _P + "remove_host")
        host = parse_body(RemoveHostRequest, body).remove_host.host
        aggregate = await _remove_host(store, _parse_id(aggregate_id), host)
    elif action == "set_metadata":
        policy.authorize(ctx, _P + "set_metadata")
        metadata = parse_body(SetMetadataRequest, body).set_metadata.metadata
        aggregate = await _set_metadata(store, _parse_id(aggregate_id), dict(metadata))
    else:
        raise errors.BadRequestError(
            f"There is no such action: {action}" if action else "Malformed request body"
        )
    return _one(aggregate, version)


@router.post("/{aggregate_id}/images", dependencies=[Depends(min_version("2.81"))])
async def cache_images(*, aggregate_id: str, body: JsonBody, ctx: Context, store: StoreDep) -> Response:
    """Image pre-caching (2.81): accepted and validated, then nothing to do, because KubeVirt
    imports a server's disk when the server is built and has no per-host image cache."""
    policy.authorize(ctx, _P + "images")
    parsed_id = _parse_id(aggregate_id)
    image_ids = [ref.id for ref in parse_body(CacheImagesRequest, body).cache]
    if len(set(image_ids)) != len(image_ids):
        raise errors.BadRequestError("Duplicate images in request")
    if store.aggregates.find(parsed_id) is None:
        raise not_found(parsed_id)
    return Response(status_code=202)
