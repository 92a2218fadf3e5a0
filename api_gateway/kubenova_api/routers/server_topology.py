"""``GET /servers/{id}/topology`` (2.78; ``compute:server:topology:index``, the project's readers;
host details only for ``compute:server:topology:host:index``, which no node here needs)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from kubenova_api.compute import access
from kubenova_api.deps import Context, IdentityDep, StoreDep, min_version
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.views import server_topology as views

router = APIRouter(
    prefix=f"{COMPUTE_PREFIX}/servers/{{server_id}}/topology", dependencies=[Depends(min_version("2.78"))]
)


@router.get("")
async def show_topology(
    *, server_id: str, ctx: Context, store: StoreDep, identity: IdentityDep
) -> JSONResponse:
    access.authorized_server(store, identity, ctx, server_id, "compute:server:topology:index")
    return JSONResponse(views.without_numa_topology())
