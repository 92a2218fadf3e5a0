"""``POST /servers/{id}/action``: the action is the body's single key; ``compute.server_actions``
checks it against its row of the action table and carries it out."""

from __future__ import annotations

from fastapi import APIRouter, Response

from kubenova.domain.actions import Intent
from kubenova_api.compute import access, server_resize
from kubenova_api.compute import server_actions as service
from kubenova_api.compute import servers as servers_service
from kubenova_api.deps import Context, IdentityDep, JsonBody, SettingsDep, StoreDep, Version
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.server_actions import (
    action_of,
    parse_lock,
    parse_reboot,
    parse_reset_state,
    parse_resize,
)

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/servers")


@router.post("/{server_id}/action")
async def server_action(
    *,
    server_id: str,
    body: JsonBody,
    ctx: Context,
    version: Version,
    store: StoreDep,
    identity: IdentityDep,
    settings: SettingsDep,
) -> Response:
    name, _arguments = action_of(body)
    row = service.row_for(name, version)
    found = access.authorized_server(store, identity, ctx, server_id, row.policy)
    if row.intent is Intent.REBOOT:
        await service.reboot(store, ctx, found.server, parse_reboot(body).type)
    elif row.intent in service.POWER_INTENTS:
        await service.power(store, ctx, found.server, row)
    elif row.intent is Intent.RESET_STATE:
        await service.reset_state(store, ctx, found.server, parse_reset_state(body))
    elif row.intent is Intent.HYPERVISOR_CANNOT:
        await service.record_only(store, ctx, found.server, row)
    elif row.intent is Intent.NO_OP:
        service.no_op(ctx, found.server, row)
    elif row.intent is Intent.LOCK:
        reason = parse_lock(body) if version >= "2.73" else None
        await service.lock(store, ctx, found, reason)
    elif row.intent is Intent.UNLOCK:
        await service.unlock(store, ctx, found)
    elif row.intent in server_resize.INTENTS:
        flavor_ref = parse_resize(body).flavor_ref if row.intent is Intent.RESIZE else None
        await server_resize.carry_out(store, ctx, found, row, settings=settings, flavor_ref=flavor_ref)
    elif row.intent is Intent.RESTORE:
        await service.restore(store, ctx, found.server, row)
    elif row.intent is Intent.DELETE:
        await servers_service.force_delete(store, ctx, found.server)
    else:
        service.refuse_unsupported(ctx, found.server, row, name)
    return Response(status_code=202)
