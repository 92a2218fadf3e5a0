"""``/servers/{id}/tags`` (from 2.26): list, replace, clear, and single tags.

Writes need the server active, paused, suspended or stopped (Nova checks only the vm_state
here: 409 "Cannot 'update tag' ..."); a server has at most 50 tags (400).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse

from kubenova.resources import Server
from kubenova_api import errors, policy
from kubenova_api.context import RequestContext
from kubenova_api.deps import Context, IdentityDep, JsonBody, StoreDep, Urls, min_version
from kubenova_api.identity.service import IdentityService
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.routers.server_metadata import WRITABLE_STATES
from kubenova_api.routers.servers import check_state, project_of, visible_server
from kubenova_api.schemas.servers import MAX_TAGS
from kubenova_api.schemas.servers_tags import check_path_tag, parse_tags
from kubenova_api.store import Store
from kubenova_api.views import servers_tags as views

router = APIRouter(
    prefix=f"{COMPUTE_PREFIX}/servers/{{server_id}}/tags", dependencies=[Depends(min_version("2.26"))]
)
_P = "os_compute_api:os-server-tags:"


def _server(
    store: Store, identity: IdentityService, ctx: RequestContext, server_id: str, rule: str
) -> Server:
    server = visible_server(store, ctx, server_id)
    policy.authorize(ctx, _P + rule, project_id=project_of(identity, server.metadata.namespace))
    return server


def _missing(server: Server, tag: str) -> errors.NotFoundError:
    return errors.NotFoundError(f"Server {server.server_id} has no tag '{tag}'")


def _check_writable(server: Server, method: str) -> None:
    """Nova checks only the vm_state for tag writes (no task, no lock check)."""
    check_state(server, method, vm_states=WRITABLE_STATES, task_states=None, must_have_launched=False)


async def _write(
    store: Store, server: Server, *, method: str, change: Callable[[list[str]], list[str]]
) -> Server:
    def build(current: Server) -> dict[str, Any]:
        _check_writable(current, method)
        return {"spec": {"tags": change(list(current.spec.tags))}}

    build(server)  # refuse from the cache before writing anything
    return await store.servers.modify(server, build)


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
    updated = await _write(store, server, method="update tags", change=lambda _: tags)
    return JSONResponse(views.tags(updated.spec.tags))


@router.delete("")
async def delete_tags(*, server_id: str, ctx: Context, store: StoreDep, identity: IdentityDep) -> Response:
    server = _server(store, identity, ctx, server_id, "delete_all")
    await _write(store, server, method="delete tags", change=lambda _: [])
    return Response(status_code=204)


@router.get("/{tag}")
async def check_tag(
    *, server_id: str, tag: str, ctx: Context, store: StoreDep, identity: IdentityDep
) -> Response:
    server = _server(store, identity, ctx, server_id, "show")
    if tag not in server.spec.tags:
        raise _missing(server, tag)
    return Response(status_code=204)


@router.put("/{tag}")
async def add_tag(
    *, server_id: str, tag: str, ctx: Context, store: StoreDep, identity: IdentityDep, urls: Urls
) -> Response:
    """Nova's order: state (409), tag syntax (400), the tag limit (400, even for a tag the
    server has), then 204 for a tag already there or 201 with its Location."""
    server = _server(store, identity, ctx, server_id, "update")
    _check_writable(server, "update tag")
    check_path_tag(tag)
    too_many = errors.BadRequestError(f"The number of tags exceeded the per-server limit {MAX_TAGS}")
    if len(server.spec.tags) >= MAX_TAGS:
        raise too_many
    if tag in server.spec.tags:
        return Response(status_code=204)

    def add(tags: list[str]) -> list[str]:
        if tag in tags:
            return tags
        if len(tags) >= MAX_TAGS:
            raise too_many
        return [*tags, tag]

    await _write(store, server, method="update tag", change=add)
    location = urls.compute("servers", server.server_id, "tags", quote(tag, safe=""))
    return Response(status_code=201, headers={"Location": location})


@router.delete("/{tag}")
async def delete_tag(
    *, server_id: str, tag: str, ctx: Context, store: StoreDep, identity: IdentityDep
) -> Response:
    server = _server(store, identity, ctx, server_id, "delete")
    _check_writable(server, "delete tag")
    if tag not in server.spec.tags:
        # Nova words this one after its InstanceTagNotFound, unlike the GET's "Server ...".
        raise errors.NotFoundError(f"Instance {server.server_id} has no tag '{tag}'")
    await _write(store, server, method="delete tag", change=lambda tags: [t for t in tags if t != tag])
    return Response(status_code=204)
