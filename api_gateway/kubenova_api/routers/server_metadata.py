"""``/servers/{id}/metadata``: read, merge (POST), replace (PUT), and single items.

Writes are ``compute.server_metadata``'s (Nova's guards and the ``metadata_items`` quota).
Clients call this without a microversion (OSC ``server set --property``), i.e. at 2.1.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from kubenova.resources import Server
from kubenova_api.compute import access
from kubenova_api.compute import server_metadata as service
from kubenova_api.context import RequestContext
from kubenova_api.deps import Context, IdentityDep, JsonBody, SettingsDep, StoreDep, strict_query_from_2102
from kubenova_api.identity.service import IdentityService
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.server_metadata import parse_meta, parse_metadata
from kubenova_api.store import Store
from kubenova_api.views import server_metadata as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/servers/{{server_id}}/metadata")
_P = "os_compute_api:server-metadata:"


def _server(
    store: Store, identity: IdentityService, ctx: RequestContext, server_id: str, rule: str
) -> Server:
    return access.authorized_server(store, identity, ctx, server_id, _P + rule).server


@router.get("", dependencies=[Depends(strict_query_from_2102())])
async def list_metadata(
    *, server_id: str, ctx: Context, store: StoreDep, identity: IdentityDep
) -> JSONResponse:
    server = _server(store, identity, ctx, server_id, "index")
    return JSONResponse(views.metadata(server.spec.metadata))


@router.post("")
async def merge_metadata(
    *,
    server_id: str,
    body: JsonBody,
    ctx: Context,
    store: StoreDep,
    identity: IdentityDep,
    settings: SettingsDep,
) -> JSONResponse:
    items = parse_metadata(body)
    server = _server(store, identity, ctx, server_id, "create")
    return JSONResponse(views.metadata(await service.merge(store, settings, ctx, server, items)))


@router.put("")
async def replace_metadata(
    *,
    server_id: str,
    body: JsonBody,
    ctx: Context,
    store: StoreDep,
    identity: IdentityDep,
    settings: SettingsDep,
) -> JSONResponse:
    items = parse_metadata(body)
    server = _server(store, identity, ctx, server_id, "update_all")
    return JSONResponse(views.metadata(await service.replace(store, settings, ctx, server, items)))


@router.get("/{key}", dependencies=[Depends(strict_query_from_2102())])
async def show_metadata_item(
    *, server_id: str, key: str, ctx: Context, store: StoreDep, identity: IdentityDep
) -> JSONResponse:
    server = _server(store, identity, ctx, server_id, "show")
    if key not in server.spec.metadata:
        raise service.missing()
    return JSONResponse(views.meta(key, server.spec.metadata[key]))


@router.put("/{key}")
async def set_metadata_item(
    *,
    server_id: str,
    key: str,
    body: JsonBody,
    ctx: Context,
    store: StoreDep,
    identity: IdentityDep,
    settings: SettingsDep,
) -> JSONResponse:
    value = parse_meta(body, key)
    server = _server(store, identity, ctx, server_id, "update")
    await service.merge(store, settings, ctx, server, {key: value})
    return JSONResponse(views.meta(key, value))


@router.delete("/{key}")
async def delete_metadata_item(
    *, server_id: str, key: str, ctx: Context, store: StoreDep, identity: IdentityDep, settings: SettingsDep
) -> Response:
    server = _server(store, identity, ctx, server_id, "delete")
    await service.delete_item(store, settings, ctx, server, key)
    return Response(status_code=204)
