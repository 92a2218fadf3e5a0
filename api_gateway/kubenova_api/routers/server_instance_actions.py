"""``/servers/{id}/os-instance-actions[/{request_id}]``: what was done to a server, by whom
(``compute.server_instance_actions``). Events are shown to admins (with traceback, and from 2.62
the host), and from 2.51 to everyone else without them; ``hostId`` from 2.62, ``details`` from 2.84.
From 2.21 the actions of a deleted server stay readable (its ``ServerRecord``), as Nova reads them
with ``read_deleted='yes'``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from kubenova_api import policy
from kubenova_api.compute import access
from kubenova_api.compute import server_instance_actions as service
from kubenova_api.deps import Context, IdentityDep, ListDep, StoreDep, Version
from kubenova_api.deps import strict_query_from_2102 as strict_from_2102
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.views import server_instance_actions as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/servers/{{server_id}}/os-instance-actions")
_P = "os_compute_api:os-instance-actions:"


@router.get("")
async def list_actions(server_id: str, call: ListDep) -> JSONResponse:
    found = access.authorized_server(
        call.store, call.identity, call.ctx, server_id, _P + "list", read_deleted=call.version >= "2.21"
    )
    listed = service.listing(found.server, call.query, call.version, max_limit=call.max_limit, urls=call.urls)
    items = [views.item(r, found.server, found.project_id, call.version) for r in listed.records]
    body: dict[str, object] = {"instanceActions": items}
    if listed.links:
        body["links"] = listed.links
    return JSONResponse(body)


@router.get("/{request_id}", dependencies=[Depends(strict_from_2102())])
async def show_action(
    *, server_id: str, request_id: str, ctx: Context, version: Version, store: StoreDep, identity: IdentityDep
) -> JSONResponse:
    found = access.authorized_server(
        store, identity, ctx, server_id, _P + "show", read_deleted=version >= "2.21"
    )
    record = service.find(found.server, request_id)
    project_id = found.project_id
    events: views.EventOptions | None = None
    if policy.allowed(ctx, _P + "events", project_id=project_id):
        events = views.EventOptions(
            traceback=True, host=version >= "2.62", host_id=version >= "2.62", details=version >= "2.84"
        )
    elif version >= "2.51":
        details = version >= "2.84" and policy.allowed(ctx, _P + "events:details", project_id=project_id)
        events = views.EventOptions(traceback=False, host=False, host_id=version >= "2.62", details=details)
    return JSONResponse({"instanceAction": views.detail(record, found.server, project_id, version, events)})
