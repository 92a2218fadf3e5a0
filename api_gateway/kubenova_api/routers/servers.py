"""``/servers``: list (index, detail), show, create, update, delete. Parsing here, decisions in
``compute`` (``server_listing``, ``server_create``, ``servers``), bodies in ``views.servers``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from kubenova_api import policy
from kubenova_api.compute import access, server_create, server_listing
from kubenova_api.compute import servers as service
from kubenova_api.compute.refs import refs, view_options
from kubenova_api.deps import (
    Context,
    IdentityDep,
    JsonBody,
    ListCall,
    ListDep,
    SettingsDep,
    StoreDep,
    Urls,
    Version,
    strict_query_from_2102,
)
from kubenova_api.gc_pause import paused_gc
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas import servers as schemas
from kubenova_api.views import server_list_json
from kubenova_api.views import servers as views
from kubenova_api.views.json_response import EncodedJSONResponse, FastJSONResponse

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/servers")
_P = "os_compute_api:servers:"


def _page(call: ListCall, *, detail: bool) -> Response:
    """One page of the caller's servers, rendered as the index or as the detail view."""
    with paused_gc():  # no await inside: see gc_pause
        page = server_listing.page(
            call.query,
            ctx=call.ctx,
            version=call.version,
            store=call.store,
            identity=call.identity,
            max_limit=call.max_limit,
            urls=call.urls,
            detail=detail,
        )
        if detail:  # the items as encoded before, for the same Server, refs and options
            options = view_options(call.ctx, call.version, call.urls)
            items = [server_list_json.detail_item(s, page.refs[s.server_id], options) for s in page.servers]
            return EncodedJSONResponse(server_list_json.collection(items, page.links))
        rendered = [views.basic(s, call.urls) for s in page.servers]
        return FastJSONResponse(views.collection(rendered, page.links))


@router.get("")
async def list_servers(call: ListDep) -> Response:
    return _page(call, detail=False)


@router.get("/detail")
async def list_servers_detail(call: ListDep) -> Response:
    return _page(call, detail=True)


@router.get("/{server_id}", dependencies=[Depends(strict_query_from_2102())])
async def show_server(
    *, server_id: str, ctx: Context, version: Version, store: StoreDep, identity: IdentityDep, urls: Urls
) -> JSONResponse:
    server = access.visible_server(store, ctx, server_id)
    found = refs(store, identity, server)
    policy.authorize(ctx, _P + "show", project_id=found.project_id)
    body = views.detail(server, found, view_options(ctx, version, urls), show_server_groups=True)
    return JSONResponse({"server": body})


@router.post("")
async def create_server(
    *, body: JsonBody, ctx: Context, version: Version, store: StoreDep, settings: SettingsDep, urls: Urls
) -> JSONResponse:
    request = schemas.parse_create(body, version)
    created = await server_create.create(request, ctx=ctx, store=store, settings=settings)
    plan = created.plan
    if plan.return_reservation_id:
        return JSONResponse({"reservation_id": plan.reservation_id}, status_code=202)
    first = created.servers[0]
    answer = views.created(first, urls, admin_pass=plan.admin_pass, security_groups=plan.security_groups)
    return JSONResponse(
        answer, status_code=202, headers={"Location": urls.compute("servers", first.server_id)}
    )


@router.put("/{server_id}")
async def update_server(
    *,
    server_id: str,
    body: JsonBody,
    ctx: Context,
    version: Version,
    store: StoreDep,
    identity: IdentityDep,
    urls: Urls,
) -> JSONResponse:
    update = schemas.parse_update(body, version)
    found = access.authorized_server(store, identity, ctx, server_id, _P + "update")
    server = await service.update(store, found.server, update)
    rendered = views.detail(
        server,
        refs(store, identity, server),
        view_options(ctx, version, urls),
        show_server_groups=True,
        minimal=version < "2.75",
    )
    return JSONResponse({"server": rendered})


@router.delete("/{server_id}")
async def delete_server(
    *, server_id: str, ctx: Context, store: StoreDep, identity: IdentityDep, settings: SettingsDep
) -> Response:
    found = access.authorized_server(store, identity, ctx, server_id, _P + "delete")
    await service.delete(
        store, ctx, found.server, reclaim_interval=settings.reclaim_instance_interval_seconds
    )
    return Response(status_code=204)
