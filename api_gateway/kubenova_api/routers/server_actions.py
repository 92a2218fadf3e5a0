"""``POST /servers/{id}/action``: the action is the body's single key; ``compute.server_actions``
checks it against its row of the action table and carries it out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from kubenova.domain.actions import Intent, ServerAction
from kubenova_api.compute import (
    access,
    admin_password,
    console_output,
    server_evacuate,
    server_migrate,
    server_rebuild,
    server_rescue,
    server_resize,
    server_shelve,
    server_snapshots,
)
from kubenova_api.compute import server_actions as service
from kubenova_api.compute import servers as servers_service
from kubenova_api.compute.refs import refs, view_options
from kubenova_api.context import RequestContext
from kubenova_api.deps import Context, IdentityDep, JsonBody, SettingsDep, StoreDep, Urls, Version
from kubenova_api.identity.service import IdentityService
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.admin_password import parse_change_password
from kubenova_api.schemas.console_output import parse_console_output
from kubenova_api.schemas.migrate_server import LiveMigrate, parse_migrate, parse_migrate_live
from kubenova_api.schemas.server_actions import (
    CreateBackup,
    action_of,
    parse_create_backup,
    parse_create_image,
    parse_lock,
    parse_reboot,
    parse_reset_state,
    parse_resize,
)
from kubenova_api.schemas.server_evacuate import Evacuate, parse_evacuate
from kubenova_api.schemas.server_rebuild import Rebuild, parse_rebuild
from kubenova_api.schemas.server_rescue import Rescue, parse_rescue
from kubenova_api.schemas.server_shelve import parse_unshelve
from kubenova_api.settings import Settings
from kubenova_api.store import Store
from kubenova_api.urls import PublicUrls
from kubenova_api.views import servers as server_views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/servers")


@dataclass(frozen=True)
class ActionCall:
    """One ``/action`` request, authorized for its server: what every handler below takes."""

    name: str
    body: object
    row: ServerAction
    parsed: object
    """The body parsed before the server was looked up (rebuild, rescue), else ``None``."""
    ctx: RequestContext
    version: APIVersion
    store: Store
    identity: IdentityService
    found: access.ServerAccess
    urls: PublicUrls
    settings: Settings


Handler = Callable[[ActionCall], Awaitable[Response | None]]
"""Carries one action out; ``None``: Nova's 202 with no body."""


@router.post("/{server_id}/action")
async def server_action(
    *,
    server_id: str,
    body: JsonBody,
    ctx: Context,
    version: Version,
    store: StoreDep,
    identity: IdentityDep,
    urls: Urls,
    settings: SettingsDep,
) -> Response:
    name, _arguments = action_of(body)
    row = service.row_for(name, version)
    parse_first = _PARSED_FIRST.get(row.intent) if row.intent is not None else None
    parsed = parse_first(body, version) if parse_first is not None else None
    found = access.authorized_server(store, identity, ctx, server_id, row.policy)
    call = ActionCall(name, body, row, parsed, ctx, version, store, identity, found, urls, settings)
    handler = _HANDLERS.get(row.intent) if row.intent is not None else None
    if handler is None:
        service.refuse_unsupported(ctx, found.server, row, name)
        return Response(status_code=202)  # not reached: refused above
    answer = await handler(call)
    return answer if answer is not None else Response(status_code=202)


# ----- the actions whose answer has a body ---------------------------------------------------------


async def _rescue(call: ActionCall) -> Response:
    """Nova answers 200 here, not 202 (kept for compatibility), with the rescue password."""
    assert isinstance(call.parsed, Rescue)
    password = await server_rescue.rescue(call.store, call.ctx, call.found.server, call.parsed)
    return JSONResponse({"adminPass": password}, status_code=200)


async def _rebuild(call: ActionCall) -> Response:
    assert isinstance(call.parsed, Rebuild)
    done = await server_rebuild.rebuild(call.store, call.ctx, call.found.server, call.parsed)
    view = server_views.rebuilt(
        done.server,
        refs(call.store, call.identity, done.server),
        view_options(call.ctx, call.version, call.urls),
        admin_pass=done.admin_pass,
    )
    return JSONResponse(view, status_code=202)


async def _snapshot(call: ActionCall) -> Response:
    """createImage / createBackup: the new image's id (2.45+), else its Location."""
    body = call.body
    wanted = parse_create_backup(body) if call.name == "createBackup" else parse_create_image(body)
    image = await server_snapshots.snapshot(
        call.store,
        call.ctx,
        call.found.server,
        wanted,
        project_id=call.found.project_id,
        image_namespace=call.settings.image_namespace,
    )
    if call.version >= "2.45":
        return JSONResponse({"image_id": image.image_id}, status_code=202)
    if isinstance(wanted, CreateBackup) and wanted.rotation == 0:
        return Response(status_code=202)
    return Response(status_code=202, headers={"Location": call.urls.image("v2", "images", image.image_id)})


async def _console_output(call: ActionCall) -> Response:
    """A read (200): the serial console log of the server's launcher pod."""
    length = call.parsed if isinstance(call.parsed, int) else None
    return JSONResponse({"output": await console_output.output(call.store, call.found.server, length)})


# ----- the actions answered 202 with no body: each writes its spec intent (or only its request) ---


async def _change_password(c: ActionCall) -> None:
    assert isinstance(c.parsed, str)
    await admin_password.change_password(c.store, c.ctx, c.found, c.parsed)


async def _reboot(c: ActionCall) -> None:
    await service.reboot(c.store, c.ctx, c.found.server, parse_reboot(c.body).type)


async def _power(c: ActionCall) -> None:
    await service.power(c.store, c.ctx, c.found.server, c.row)


async def _reset_state(c: ActionCall) -> None:
    await service.reset_state(c.store, c.ctx, c.found.server, parse_reset_state(c.body))


async def _record_only(c: ActionCall) -> None:
    await service.record_only(c.store, c.ctx, c.found.server, c.row)


async def _no_op(c: ActionCall) -> None:
    service.no_op(c.ctx, c.found.server, c.row)


async def _lock(c: ActionCall) -> None:
    reason = parse_lock(c.body) if c.version >= "2.73" else None
    await service.lock(c.store, c.ctx, c.found, reason)


async def _unlock(c: ActionCall) -> None:
    await service.unlock(c.store, c.ctx, c.found)


async def _resize(c: ActionCall) -> None:
    flavor_ref = parse_resize(c.body).flavor_ref if c.row.intent is Intent.RESIZE else None
    await server_resize.carry_out(c.store, c.ctx, c.found, c.row, settings=c.settings, flavor_ref=flavor_ref)


async def _unrescue(c: ActionCall) -> None:
    await server_rescue.unrescue(c.store, c.ctx, c.found.server)


async def _shelve(c: ActionCall) -> None:
    await server_shelve.shelve(c.store, c.ctx, c.found.server)


async def _shelve_offload(c: ActionCall) -> None:
    await server_shelve.shelve_offload(c.store, c.ctx, c.found.server)


async def _unshelve(c: ActionCall) -> None:
    wanted = parse_unshelve(c.body, c.version)
    await server_shelve.unshelve(c.store, c.ctx, c.found, wanted, c.settings)


async def _migrate(c: ActionCall) -> None:
    assert c.parsed is None or isinstance(c.parsed, str)
    await server_migrate.migrate(c.store, c.ctx, c.found, c.parsed)


async def _live_migrate(c: ActionCall) -> None:
    assert isinstance(c.parsed, LiveMigrate)
    await server_migrate.live_migrate(c.store, c.ctx, c.found, c.parsed)


async def _evacuate(c: ActionCall) -> Response:
    """Nova answers 200: ``{"adminPass": ...}`` before 2.14, no body from 2.14."""
    assert isinstance(c.parsed, Evacuate)
    password = await server_evacuate.evacuate(c.store, c.ctx, c.found, c.parsed, c.version)
    if c.version < "2.14":
        return JSONResponse({"adminPass": password}, status_code=200)
    return Response(status_code=200)


async def _restore(c: ActionCall) -> None:
    await service.restore(c.store, c.ctx, c.found.server, c.row)


async def _force_delete(c: ActionCall) -> None:
    await servers_service.force_delete(c.store, c.ctx, c.found.server)


_PARSED_FIRST: dict[Intent, Callable[[object, APIVersion], object]] = {
    Intent.REBUILD: parse_rebuild,
    Intent.RESCUE: lambda body, _version: parse_rescue(body),
    Intent.CONSOLE_OUTPUT: lambda body, _version: parse_console_output(body),
    Intent.ADMIN_PASSWORD: lambda body, _version: parse_change_password(body),
    Intent.MIGRATE: parse_migrate,
    Intent.LIVE_MIGRATE: parse_migrate_live,
    Intent.EVACUATE: parse_evacuate,
}
"""Bodies checked before the server is looked up (a malformed one is a 400 even for a server the
caller may not see)."""

_HANDLERS: dict[Intent, Handler] = {
    Intent.RESCUE: _rescue,
    Intent.REBUILD: _rebuild,
    Intent.SNAPSHOT: _snapshot,
    Intent.REBOOT: _reboot,
    **dict.fromkeys(service.POWER_INTENTS, _power),
    Intent.RESET_STATE: _reset_state,
    Intent.HYPERVISOR_CANNOT: _record_only,
    Intent.NO_OP: _no_op,
    Intent.LOCK: _lock,
    Intent.UNLOCK: _unlock,
    **dict.fromkeys(server_resize.INTENTS, _resize),
    Intent.UNRESCUE: _unrescue,
    Intent.SHELVE: _shelve,
    Intent.SHELVE_OFFLOAD: _shelve_offload,
    Intent.UNSHELVE: _unshelve,
    Intent.RESTORE: _restore,
    Intent.DELETE: _force_delete,
    Intent.CONSOLE_OUTPUT: _console_output,
    Intent.ADMIN_PASSWORD: _change_password,
    Intent.MIGRATE: _migrate,
    Intent.LIVE_MIGRATE: _live_migrate,
    Intent.EVACUATE: _evacuate,
}
"""What carries out each intent of the action table (``domain.actions.Intent``)."""
