"""``POST /servers/{id}/action``: the action is the body's single key; ``compute.server_actions``
checks it against its row of the action table and carries it out."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from kubenova.domain.actions import Intent, ServerAction
from kubenova_api.compute import (
    access,
    server_migrate,
    server_rebuild,
    server_rescue,
    server_resize,
    server_snapshots,
)
from kubenova_api.compute import server_actions as service
from kubenova_api.compute import servers as servers_service
from kubenova_api.compute.refs import refs, view_options
from kubenova_api.context import RequestContext
from kubenova_api.deps import Context, IdentityDep, JsonBody, SettingsDep, StoreDep, Urls, Version
from kubenova_api.microversions import APIVersion
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.migrate_server import parse_migrate, parse_migrate_live
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
from kubenova_api.schemas.server_rebuild import parse_rebuild
from kubenova_api.schemas.server_rescue import parse_rescue
from kubenova_api.settings import Settings
from kubenova_api.store import Store
from kubenova_api.urls import PublicUrls
from kubenova_api.views import servers as server_views

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
    urls: Urls,
    settings: SettingsDep,
) -> Response:
    name, _arguments = action_of(body)
    row = service.row_for(name, version)
    rebuild_request = parse_rebuild(body, version) if row.intent is Intent.REBUILD else None
    rescue_request = parse_rescue(body) if row.intent is Intent.RESCUE else None
    migrate_host = parse_migrate(body, version) if row.intent is Intent.MIGRATE else None
    live = parse_migrate_live(body, version) if row.intent is Intent.LIVE_MIGRATE else None
    found = access.authorized_server(store, identity, ctx, server_id, row.policy)
    if row.intent is Intent.MIGRATE:
        await server_migrate.migrate(store, ctx, found, migrate_host)
        return Response(status_code=202)
    if live is not None:
        await server_migrate.live_migrate(store, ctx, found, live)
        return Response(status_code=202)
    if rescue_request is not None:  # Nova answers 200 here, not 202 (kept for compatibility)
        password = await server_rescue.rescue(store, ctx, found.server, rescue_request)
        return JSONResponse({"adminPass": password}, status_code=200)
    if rebuild_request is not None:
        done = await server_rebuild.rebuild(store, ctx, found.server, rebuild_request)
        view = server_views.rebuilt(
            done.server,
            refs(store, identity, done.server),
            view_options(ctx, version, urls),
            admin_pass=done.admin_pass,
        )
        return JSONResponse(view, status_code=202)
    if row.intent is Intent.SNAPSHOT:
        return await _snapshot(
            name=name,
            body=body,
            ctx=ctx,
            version=version,
            store=store,
            found=found,
            urls=urls,
            image_namespace=settings.image_namespace,
        )
    await _carry_out(
        name=name, body=body, row=row, ctx=ctx, version=version, store=store, found=found, settings=settings
    )
    return Response(status_code=202)


async def _snapshot(
    *,
    name: str,
    body: object,
    ctx: RequestContext,
    version: APIVersion,
    store: Store,
    found: access.ServerAccess,
    urls: PublicUrls,
    image_namespace: str,
) -> Response:
    """createImage / createBackup: the new image's id (2.45+), else its Location."""
    wanted = parse_create_backup(body) if name == "createBackup" else parse_create_image(body)
    image = await server_snapshots.snapshot(
        store, ctx, found.server, wanted, project_id=found.project_id, image_namespace=image_namespace
    )
    if version >= "2.45":
        return JSONResponse({"image_id": image.image_id}, status_code=202)
    if isinstance(wanted, CreateBackup) and wanted.rotation == 0:
        return Response(status_code=202)
    return Response(status_code=202, headers={"Location": urls.image("v2", "images", image.image_id)})


async def _carry_out(
    *,
    name: str,
    body: object,
    row: ServerAction,
    ctx: RequestContext,
    version: APIVersion,
    store: Store,
    found: access.ServerAccess,
    settings: Settings,
) -> None:
    """The actions answered 202 with no body: each writes its spec intent (or only its request)."""
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
    elif row.intent is Intent.UNRESCUE:
        await server_rescue.unrescue(store, ctx, found.server)
    elif row.intent is Intent.RESTORE:
        await service.restore(store, ctx, found.server, row)
    elif row.intent is Intent.DELETE:
        await servers_service.force_delete(store, ctx, found.server)
    else:
        service.refuse_unsupported(ctx, found.server, row, name)
