"""``GET /servers/{id}/topology`` (2.78; ``compute:server:topology:index``, the project's readers).
The host details of ``compute:server:topology:host:index`` are not shown: KubeVirt does not
report them (``compute.server_topology``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from kubenova_api.compute import access
from kubenova_api.compute import server_topology as service
from kubenova_api.deps import Context, IdentityDep, StoreDep, min_version
from kubenova_api.routers import COMPUTE_PREFIX

router = APIRouter(
    prefix=f"{COMPUTE_PREFIX}/servers/{{server_id}}/topology", dependencies=[Depends(min_version("2.78"))]
)


@router.get("")
async def show_topology(
    *, server_id: str, ctx: Context, store: StoreDep, identity: IdentityDep
) -> JSONResponse:
    found = access.authorized_server(store, identity, ctx, server_id, "compute:server:topology:index")
    return JSONResponse(service.topology(store, found.server))
