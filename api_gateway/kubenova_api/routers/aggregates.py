"""``/os-aggregates`` (admin): host aggregates and the availability zones they define.

Backed by Aggregate CRs (``store.aggregates``; ids allocated by the operator); the operator
labels the member Nodes and schedules by them. Nova's rules are ``compute.aggregates``'. Here:
path ids are integers, anything else is a 400 (OSC's name lookup relies on it), checked after the
policy as Nova does; create answers without ``hosts``/``metadata``; delete answers 200 with no
body (Nova's legacy codes). The actions (add_host, remove_host, set_metadata) arrive without a
microversion header from OSC, so they behave the same at every version.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from kubenova.resources import Aggregate
from kubenova_api import errors, policy
from kubenova_api.compute import aggregates as service
from kubenova_api.deps import (
    Context,
    JsonBody,
    SettingsDep,
    StoreDep,
    Version,
    min_version,
    strict_query_from_2102,
)
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
from kubenova_api.store.aggregates import not_found
from kubenova_api.views import aggregates as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/os-aggregates")
_P = "os_compute_api:os-aggregates:"


def _parse_id(raw: str) -> int:
    """Nova's ``validate_integer(id, 'id')``."""
    try:
        return int(raw.strip())
    except ValueError:
        raise errors.BadRequestError("Invalid input received: id must be an integer") from None


def _one(aggregate: Aggregate, version: APIVersion) -> JSONResponse:
    return JSONResponse({"aggregate": views.show(aggregate, version)})


@router.get("", dependencies=[Depends(strict_query_from_2102())])
async def list_aggregates(*, ctx: Context, version: Version, store: StoreDep) -> JSONResponse:
    policy.authorize(ctx, _P + "index")
    return JSONResponse({"aggregates": [views.show(a, version) for a in store.aggregates.numbered()]})


@router.post("")
async def create_aggregate(
    *, body: JsonBody, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep
) -> JSONResponse:
    policy.authorize(ctx, _P + "create")
    request = parse_body(AggregateCreateRequest, body).aggregate
    # Nova's normalize_name: outer whitespace goes.
    zone = request.availability_zone.strip() if request.availability_zone is not None else None
    aggregate = await service.create(store, settings, request.name.strip(), zone)
    return JSONResponse({"aggregate": views.show(aggregate, version, members=False)})


@router.get("/{aggregate_id}", dependencies=[Depends(strict_query_from_2102())])
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
    return _one(await service.update(store, _parse_id(aggregate_id), update), version)


@router.delete("/{aggregate_id}")
async def delete_aggregate(*, aggregate_id: str, ctx: Context, store: StoreDep) -> Response:
    policy.authorize(ctx, _P + "delete")
    await service.delete(store, _parse_id(aggregate_id))
    return Response(status_code=200)


@router.post("/{aggregate_id}/action")
async def aggregate_action(
    *, aggregate_id: str, body: JsonBody, ctx: Context, version: Version, store: StoreDep
) -> JSONResponse:
    """Dispatch on the body's single key, as Nova's action routes do."""
    action = next(iter(body), None) if isinstance(body, dict) and len(body) == 1 else None
    if action == "add_host":
        policy.authorize(ctx, _P + "add_host")
        host = parse_body(AddHostRequest, body).add_host.host
        aggregate = await service.add_host(store, _parse_id(aggregate_id), host)
    elif action == "remove_host":
        policy.authorize(ctx, _P + "remove_host")
        host = parse_body(RemoveHostRequest, body).remove_host.host
        aggregate = await service.remove_host(store, _parse_id(aggregate_id), host)
    elif action == "set_metadata":
        policy.authorize(ctx, _P + "set_metadata")
        metadata = parse_body(SetMetadataRequest, body).set_metadata.metadata
        aggregate = await service.set_metadata(store, _parse_id(aggregate_id), dict(metadata))
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
