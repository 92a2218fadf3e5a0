"""``/servers/{id}/metadata``: read, merge (POST), replace (PUT), and single items.

Writes follow Nova's ``update_instance_metadata`` guards: a locked server refuses non-admins,
and the server must be active, paused, suspended or stopped with no task running (409
"Cannot 'update metadata' ..."). The item count is limited by the ``metadata_items`` quota (403).
Clients call this without a microversion (OSC ``server set --property``), i.e. at 2.1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from kubenova.resources import Server
from kubenova.resources.states import VmState
from kubenova_api import errors, policy
from kubenova_api.context import RequestContext
from kubenova_api.deps import Context, IdentityDep, JsonBody, SettingsDep, StoreDep
from kubenova_api.identity.service import IdentityService
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.routers.servers import check_state, check_unlocked, project_of, visible_server
from kubenova_api.schemas.servers_metadata import parse_meta, parse_metadata
from kubenova_api.settings import Settings
from kubenova_api.store import Store
from kubenova_api.views import servers_metadata as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/servers/{{server_id}}/metadata")
_P = "os_compute_api:server-metadata:"
WRITABLE_STATES = frozenset(
    {VmState.ACTIVE.value, VmState.PAUSED.value, VmState.SUSPENDED.value, VmState.STOPPED.value}
)


def _server(
    store: Store, identity: IdentityService, ctx: RequestContext, server_id: str, rule: str
) -> Server:
    server = visible_server(store, ctx, server_id)
    policy.authorize(ctx, _P + rule, project_id=project_of(identity, server.metadata.namespace))
    return server


async def _write(
    store: Store,
    settings: Settings,
    ctx: RequestContext,
    server: Server,
    *,
    method: str,
    change: Callable[[Mapping[str, str]], dict[str, str]],
) -> dict[str, str]:
    """Apply ``change`` (current metadata → new metadata) as one conditional patch."""

    def build(current: Server) -> dict[str, Any]:
        check_unlocked(ctx, current)
        check_state(current, method, vm_states=WRITABLE_STATES)
        old = current.spec.metadata
        new = change(old)
        limit = store.quotas.limits(ctx.project_id or "", settings.quotas)["metadata_items"]
        if 0 <= limit < len(new):
            raise errors.QuotaExceededError(f"Maximum number of metadata items exceeds {limit}")
        patch: dict[str, str | None] = {key: None for key in old if key not in new}
        patch.update({key: value for key, value in new.items() if old.get(key) != value})
        return {"spec": {"metadata": patch}}

    build(server)  # refuse from the cache before writing anything
    updated = await store.servers.modify(server, build)
    return dict(updated.spec.metadata)


@router.get("")
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
    result = await _write(
        store, settings, ctx, server, method="update metadata", change=lambda old: {**old, **items}
    )
    return JSONResponse(views.metadata(result))


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
    result = await _write(
        store, settings, ctx, server, method="update metadata", change=lambda _: dict(items)
    )
    return JSONResponse(views.metadata(result))


@router.get("/{key}")
async def show_metadata_item(
    *, server_id: str, key: str, ctx: Context, store: StoreDep, identity: IdentityDep
) -> JSONResponse:
    server = _server(store, identity, ctx, server_id, "show")
    if key not in server.spec.metadata:
        raise errors.NotFoundError("Metadata item was not found")
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
    await _write(
        store, settings, ctx, server, method="update metadata", change=lambda old: {**old, key: value}
    )
    return JSONResponse(views.meta(key, value))


@router.delete("/{key}")
async def delete_metadata_item(
    *, server_id: str, key: str, ctx: Context, store: StoreDep, identity: IdentityDep, settings: SettingsDep
) -> Response:
    server = _server(store, identity, ctx, server_id, "delete")
    if key not in server.spec.metadata:
        raise errors.NotFoundError("Metadata item was not found")

    def without(old: Mapping[str, str]) -> dict[str, str]:
        if key not in old:
            raise errors.NotFoundError("Metadata item was not found")
        return {k: v for k, v in old.items() if k != key}

    await _write(store, settings, ctx, server, method="delete metadata", change=without)
    return Response(status_code=204)
