"""``/servers/{id}/tags`` (from 2.26): list, replace, clear, and single tags; writes are
``compute.server_tags``'s."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from kubenova.resources import Server
from kubenova_api import errors
from kubenova_api.compute import access
from kubenova_api.compute import server_tags as service
from kubenova_api.context import RequestContext
from kubenova_api.deps import Context, IdentityDep, JsonBody, StoreDep, Urls, min_version
from kubenova_api.identity.service import IdentityService
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.server_tags import check_path_tag, parse_tags
from kubenova_api.store import Store
from kubenova_api.views import server_tags as views

router = APIRouter(
    prefix=f"{COMPUTE_PREFIX}/servers/{{server_id}}/tags", dependencies=[Depends(min_version("2.26"))]
)
_P = "os_compute_api:os-server-tags:"


def _server(
    store: Store, identity: IdentityService, ctx: RequestContext, server_id: str, rule: str
) -> Server:
    return access.authorized_server(store, identity, ctx, server_id, _P + rule).server


@router.get("")
async def list_tags(*, server_id: str, ctx: Context, store: StoreDep, identity: IdentityDep) -> JSONResponse:
    server = _server(store, identity, ctx, server_id, "index")
    return JSONResponse(views.tags(server.spec.tags))


@router.put("")
async def replace_tags(
    *, server_id: str, body: JsonBody, ctx: Context, store: StoreDep, identity: IdentityDep
) -> JSONResponse:
    tags = parse_tags(body)
    server = _server(store, identity, ctx, server_id, "update_all")
    updated = await service.write(store, server, method="update tags", change=lambda _: tags)
    return JSONResponse(views.tags(updated.spec.tags))


@router.delete("")
async def delete_tags(*, server_id: str, ctx: Context, store: StoreDep, identity: IdentityDep) -> Response:
    server = _server(store, identity, ctx, server_id, "delete_all")
    await service.write(store, server, method="delete tags", change=lambda _: [])
    return Response(status_code=204)


@router.get("/{tag}")
async def check_tag(
    *, server_id: str, tag: str, ctx: Context, store: StoreDep, identity: IdentityDep
) -> Response:
    server = _server(store, identity, ctx, server_id, "show")
    if tag not in server.spec.tags:
        raise errors.NotFoundError(f"Server {server.server_id} has no tag '{tag}'")
    return Response(status_code=204)


@router.put("/{tag}")
async def add_tag(
    *, server_id: str, tag: str, ctx: Context, store: StoreDep, identity: IdentityDep, urls: Urls
) -> Response:
    """204 for a tag the server already has, else 201 with its Location."""
    server = _server(store, identity, ctx, server_id, "update")
    if not await service.add(store, server, tag, check_tag=check_path_tag):
        return Response(status_code=204)
    location = urls.compute("servers", server.server_id, "tags", quote(tag, safe=""))
    return Response(status_code=201, headers={"Location": location})


@router.delete("/{tag}")
async def delete_tag(
    *, server_id: str, tag: str, ctx: Context, store: StoreDep, identity: IdentityDep
) -> Response:
    server = _server(store, identity, ctx, server_id, "delete")
    await service.remove(store, server, tag)
    return Response(status_code=204)
