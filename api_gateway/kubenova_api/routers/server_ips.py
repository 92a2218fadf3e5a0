"""``/servers/{id}/ips[/{network}]``: the server's addresses by network label."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from kubenova_api import errors
from kubenova_api.compute import access
from kubenova_api.deps import Context, IdentityDep, StoreDep, strict_query_from_2102
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.views import server_ips as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/servers/{{server_id}}/ips")
_P = "os_compute_api:ips:"


@router.get("", dependencies=[Depends(strict_query_from_2102())])
async def list_ips(*, server_id: str, ctx: Context, store: StoreDep, identity: IdentityDep) -> JSONResponse:
    server = access.authorized_server(store, identity, ctx, server_id, _P + "index").server
    return JSONResponse(views.index(server))


@router.get("/{network_label}", dependencies=[Depends(strict_query_from_2102())])
async def show_network_ips(
    *, server_id: str, network_label: str, ctx: Context, store: StoreDep, identity: IdentityDep
) -> JSONResponse:
    server = access.authorized_server(store, identity, ctx, server_id, _P + "show").server
    body = views.network(server, network_label)
    if body is None:
        raise errors.NotFoundError("Instance is not a member of specified network")
    return JSONResponse(body)
