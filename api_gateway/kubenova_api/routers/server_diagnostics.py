"""``GET /servers/{id}/diagnostics`` (admin: ``os_compute_api:os-server-diagnostics``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from kubenova_api.compute import access
from kubenova_api.compute import server_diagnostics as service
from kubenova_api.deps import Context, IdentityDep, StoreDep, Version
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.views import server_diagnostics as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/servers/{{server_id}}/diagnostics")


@router.get("")
async def show_diagnostics(
    *, server_id: str, ctx: Context, version: Version, store: StoreDep, identity: IdentityDep
) -> JSONResponse:
    server = access.authorized_server(store, identity, ctx, server_id, "os_compute_api:os-server-diagnostics")
    found = await service.diagnose(store, server.server)
    return JSONResponse(views.standard(found) if version >= "2.48" else views.legacy(found))
