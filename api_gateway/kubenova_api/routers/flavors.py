"""``/flavors``: list, detail, show (anyone), create/update/delete (admin)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from kubenova.resources import Flavor
from kubenova.resources.flavor import FlavorSpec
from kubenova_api import errors, pagination, policy
from kubenova_api.compute.access import flavor_visible, visible_flavor
from kubenova_api.context import RequestContext
from kubenova_api.deps import (
    Context,
    JsonBody,
    LegacyV2,
    SettingsDep,
    StoreDep,
    Urls,
    Version,
    min_version,
    strict_query_from_2102,
)
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas import flavors_query
from kubenova_api.schemas.flavors import (
    FlavorCreate,
    FlavorCreateRequest,
    FlavorCreateRequestV20,
    FlavorCreateRequestV255,
    FlavorCreateRequestV2102,
    FlavorCreateV255,
    FlavorUpdateRequest,
)
from kubenova_api.schemas.validation import parse_body
from kubenova_api.urls import PublicUrls
from kubenova_api.views import flavors as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/flavors")

# Nova sort keys → how to read them from a Flavor.
SORT_KEYS: dict[str, Callable[[Flavor], Any]] = {
    "flavorid": lambda f: f.flavor_id,
    "id": lambda f: (f.metadata.creation_timestamp or "", f.metadata.name),
    "created_at": lambda f: f.metadata.creation_timestamp or "",
    "name": lambda f: f.display_name,
    "memory_mb": lambda f: f.spec.ram,
    "root_gb": lambda f: f.spec.disk,
    "vcpus": lambda f: f.spec.vcpus,
    "ephemeral_gb": lambda f: f.spec.ephemeral,
    "swap": lambda f: f.spec.swap,
    "rxtx_factor": lambda f: f.spec.rxtx_factor,
    "is_public": lambda f: f.spec.is_public,
    "description": lambda f: f.spec.description or "",
    "disabled": lambda f: False,
    "updated_at": lambda f: f.metadata.creation_timestamp or "",
    "vcpu_weight": lambda f: 0,
}


def _matches_is_public(ctx: RequestContext, flavor: Flavor, is_public: bool | None) -> bool:
    if not ctx.is_admin:
        return flavor_visible(ctx, flavor)
    if is_public is None:
        return True
    if is_public:
        # Nova's query: public flavors plus those the caller's project was given access to.
        return flavor.spec.is_public or ctx.project_id in flavor.spec.projects
    return not flavor.spec.is_public


def _listed(request: Request, ctx: RequestContext, store: StoreDep, version: APIVersion) -> list[Flavor]:
    query = flavors_query.parse(request.query_params, version)
    flavors = [
        f
        for f in store.flavors.all()
        if _matches_is_public(ctx, f, query.is_public)
        and (query.min_ram is None or f.spec.ram >= query.min_ram)
        and (query.min_disk is None or f.spec.disk >= query.min_disk)
        and (query.name is None or query.name.search(f.display_name) is not None)
    ]
    key = SORT_KEYS[query.sort_key]
    return sorted(flavors, key=lambda f: (key(f), f.flavor_id), reverse=query.sort_dir == "desc")


def _page(
    request: Request,
    ctx: RequestContext,
    store: StoreDep,
    version: APIVersion,
    *,
    max_limit: int,
    urls: PublicUrls,
    path: str,
) -> tuple[list[Flavor], list[dict[str, str]]]:
    page = pagination.page_request(request.query_params, max_limit)
    items = pagination.paginate(_listed(request, ctx, store, version), page, lambda f: f.flavor_id)
    links = pagination.next_links(
        items,
        page,
        lambda f: f.flavor_id,
        base_url=urls.compute(*path.split("/")),
        query=request.query_params,
    )
    return items, links


def _collection(items: list[dict[str, Any]], links: list[dict[str, str]]) -> dict[str, Any]:
    body: dict[str, Any] = {"flavors": items}
    if links:
        body["flavors_links"] = links
    return body


def _show_specs(ctx: RequestContext) -> bool:
    return policy.allowed(ctx, "os_compute_api:os-flavor-extra-specs:index")


@router.get("")
async def list_flavors(
    *, request: Request, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep, urls: Urls
) -> JSONResponse:
    items, links = _page(
        request, ctx, store, version, max_limit=settings.max_limit, urls=urls, path="flavors"
    )
    return JSONResponse(_collection([views.basic(f, version, urls) for f in items], links))


@router.get("/detail")
async def list_flavors_detail(
    *, request: Request, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep, urls: Urls
) -> JSONResponse:
    items, links = _page(
        request, ctx, store, version, max_limit=settings.max_limit, urls=urls, path="flavors/detail"
    )
    show_specs = _show_specs(ctx)
    return JSONResponse(
        _collection([views.detail(f, version, urls, show_extra_specs=show_specs) for f in items], links)
    )


@router.get("/{flavor_id}", dependencies=[Depends(strict_query_from_2102())])
async def show_flavor(
    *, flavor_id: str, ctx: Context, version: Version, store: StoreDep, urls: Urls
) -> JSONResponse:
    flavor = visible_flavor(store, ctx, flavor_id)
    return JSONResponse({"flavor": views.detail(flavor, version, urls, show_extra_specs=_show_specs(ctx))})


def _spec_from(body: Any, version: APIVersion, *, legacy: bool) -> FlavorSpec:
    flavor: FlavorCreate
    if legacy:
        flavor = parse_body(FlavorCreateRequestV20, body).flavor
    elif version >= "2.102":
        flavor = parse_body(FlavorCreateRequestV2102, body).flavor
    elif version >= "2.55":
        flavor = parse_body(FlavorCreateRequestV255, body).flavor
    else:
        flavor = parse_body(FlavorCreateRequest, body).flavor
    return FlavorSpec(
        id=flavor.id if flavor.id is not None else str(uuid.uuid4()),
        name=flavor.name.strip(),
        vcpus=flavor.vcpus,
        ram=flavor.ram,
        disk=flavor.disk,
        ephemeral=flavor.ephemeral,
        swap=flavor.swap,
        rxtx_factor=flavor.rxtx_factor,
        is_public=flavor.is_public,
        description=flavor.description if isinstance(flavor, FlavorCreateV255) else None,
    )


@router.post("")
async def create_flavor(
    *, body: JsonBody, ctx: Context, version: Version, store: StoreDep, urls: Urls, legacy: LegacyV2
) -> JSONResponse:
    policy.authorize(ctx, "os_compute_api:os-flavor-manage:create")
    spec = _spec_from(body, version, legacy=legacy)
    if store.flavors.find_by_name(spec.name or "") is not None:
        raise errors.AlreadyExistsError(f"Flavor with name {spec.name} already exists.")
    if store.flavors.find(spec.id or "") is not None:
        raise errors.AlreadyExistsError(f"Flavor with ID {spec.id} already exists.")
    flavor = await store.flavors.create(spec)
    return JSONResponse({"flavor": views.detail(flavor, version, urls, show_extra_specs=_show_specs(ctx))})


@router.put("/{flavor_id}", dependencies=[Depends(min_version("2.55"))])
async def update_flavor(
    *, flavor_id: str, body: JsonBody, ctx: Context, version: Version, store: StoreDep, urls: Urls
) -> JSONResponse:
    policy.authorize(ctx, "os_compute_api:os-flavor-manage:update")
    update = parse_body(FlavorUpdateRequest, body).flavor
    flavor = store.flavors.get(flavor_id)
    flavor = await store.flavors.update_spec(flavor, {"description": update.description})
    return JSONResponse({"flavor": views.detail(flavor, version, urls, show_extra_specs=_show_specs(ctx))})


@router.delete("/{flavor_id}")
async def delete_flavor(*, flavor_id: str, ctx: Context, store: StoreDep) -> Response:
    policy.authorize(ctx, "os_compute_api:os-flavor-manage:delete")
    await store.flavors.delete(store.flavors.get(flavor_id))
    return Response(status_code=202)
