"""``GET /os-migrations`` (admin by default: ``os_compute_api:os-migrations:index``) and
``/servers/{id}/migrations[/{id}]``, which show in-progress live migrations only, with their
``force_complete`` action (refused: KubeVirt has no such switch) and ``DELETE`` (abort)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from kubenova.domain import migration_rules
from kubenova.resources.migration import Migration
from kubenova_api import errors, policy
from kubenova_api.compute import access, server_migrate
from kubenova_api.compute import migrations as service
from kubenova_api.deps import Context, IdentityDep, JsonBody, ListDep, StoreDep, Urls, Version
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.views import migrations as views

router = APIRouter(prefix=COMPUTE_PREFIX)
_SERVER_RULE = "os_compute_api:servers:migrations:"


@router.get("/os-migrations")
async def list_migrations(call: ListDep) -> JSONResponse:
    policy.authorize(call.ctx, "os_compute_api:os-migrations:index")
    owned = [
        service.Owned(m, access.project_of(call.identity, m.metadata.namespace))
        for m in call.store.migrations.list()
    ]
    listed = service.listing(
        owned,
        call.query,
        call.version,
        max_limit=call.max_limit,
        base_url=call.urls.compute("os-migrations"),
    )
    body: dict[str, object] = {
        "migrations": [views.item(i.migration, i.project_id, call.version, call.urls) for i in listed.items]
    }
    if listed.links:
        body["migrations_links"] = listed.links
    return JSONResponse(body)


def _in_progress_live(store: StoreDep, server_id: str) -> list[Migration]:
    return [
        m
        for m in store.migrations.of_server(server_id)
        if m.spec.migration_type == "live-migration" and m.spec.status in migration_rules.LIVE_IN_PROGRESS
    ]


@router.get("/servers/{server_id}/migrations")
async def list_server_migrations(
    *, server_id: str, ctx: Context, version: Version, store: StoreDep, identity: IdentityDep, urls: Urls
) -> JSONResponse:
    if version < "2.23":
        raise errors.NotFoundError("The resource could not be found.")
    found = access.authorized_server(store, identity, ctx, server_id, _SERVER_RULE + "index")
    items = [views.server_item(m, found.project_id, version) for m in _in_progress_live(store, server_id)]
    return JSONResponse({"migrations": items})


@router.get("/servers/{server_id}/migrations/{migration_id}")
async def show_server_migration(
    *,
    server_id: str,
    migration_id: str,
    ctx: Context,
    version: Version,
    store: StoreDep,
    identity: IdentityDep,
) -> JSONResponse:
    if version < "2.23":
        raise errors.NotFoundError("The resource could not be found.")
    found = access.authorized_server(store, identity, ctx, server_id, _SERVER_RULE + "show")
    shown = next((m for m in store.migrations.of_server(server_id) if str(m.spec.id) == migration_id), None)
    refusal = _not_shown(shown, migration_id, server_id)
    if refusal is not None or shown is None:
        raise errors.NotFoundError(refusal or "")
    return JSONResponse({"migration": views.server_item(shown, found.project_id, version)})


def _not_shown(migration: Migration | None, migration_id: str, server_id: str) -> str | None:
    """Nova's 404s of ``server_migrations.show``."""
    if migration is None:
        return f"In-progress live migration {migration_id} is not found for server {server_id}."
    if migration.spec.migration_type != "live-migration":
        return f"Migration {migration_id} for server {server_id} is not live-migration."
    if migration.spec.status not in migration_rules.LIVE_IN_PROGRESS:
        return f"Live migration {migration_id} for server {server_id} is not in progress."
    return None


@router.post("/servers/{server_id}/migrations/{migration_id}/action")
async def server_migration_action(
    *,
    server_id: str,
    migration_id: str,
    body: JsonBody,
    ctx: Context,
    version: Version,
    store: StoreDep,
    identity: IdentityDep,
) -> Response:
    """force_complete (2.22): Nova's checks, then refused (KubeVirt cannot force a migration)."""
    if version < "2.22":
        raise errors.NotFoundError("The resource could not be found.")
    if not isinstance(body, dict) or list(body) != ["force_complete"] or body["force_complete"] is not None:
        raise errors.BadRequestError("Invalid input for field/attribute force_complete.")
    found = access.authorized_server(store, identity, ctx, server_id, _SERVER_RULE + "force_complete")
    server_migrate.force_complete(store, ctx, found, migration_id)
    return Response(status_code=202)


@router.delete("/servers/{server_id}/migrations/{migration_id}")
async def abort_server_migration(
    *,
    server_id: str,
    migration_id: str,
    ctx: Context,
    version: Version,
    store: StoreDep,
    identity: IdentityDep,
) -> Response:
    """Abort a live migration (2.24): the operator deletes its VirtualMachineInstanceMigration."""
    if version < "2.24":
        raise errors.NotFoundError("The resource could not be found.")
    found = access.authorized_server(store, identity, ctx, server_id, _SERVER_RULE + "delete")
    await server_migrate.abort(store, ctx, found, migration_id, version)
    return Response(status_code=202)
