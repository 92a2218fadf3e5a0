"""``/servers/{id}/os-instance-actions[/{request_id}]``: what was done to a server, by whom.

The record merges the operator's ``status.actions`` with the gateway's own log
(``views.instance_actions.records``). From 2.58 the list pages (``limit``/``marker`` = request id,
``links``) and filters on ``changes-since``, from 2.66 on ``changes-before``. Events are shown to
admins (with traceback, and from 2.62 the host), and from 2.51 to everyone else without them;
``hostId`` from 2.62, ``details`` from 2.84.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kubenova_api import errors, pagination, policy
from kubenova_api.deps import Context, IdentityDep, SettingsDep, StoreDep, Urls, Version
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.routers.servers import project_of, visible_server
from kubenova_api.schemas.servers_query import parse_time
from kubenova_api.views import instance_actions as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/servers/{{server_id}}/os-instance-actions")
_P = "os_compute_api:os-instance-actions:"


def _changed_within(record: views.ActionRecord, request: Request, version: Version) -> bool:
    query = request.query_params
    updated = parse_time("updated_at", record.updated_at)
    since = query.get("changes-since") if version >= "2.58" else None
    before = query.get("changes-before") if version >= "2.66" else None
    if since is not None and updated < parse_time("changes-since", since):
        return False
    return before is None or updated <= parse_time("changes-before", before)


@router.get("")
async def list_actions(
    *,
    server_id: str,
    request: Request,
    ctx: Context,
    version: Version,
    store: StoreDep,
    identity: IdentityDep,
    settings: SettingsDep,
    urls: Urls,
) -> JSONResponse:
    server = visible_server(store, ctx, server_id)
    project_id = project_of(identity, server.metadata.namespace)
    policy.authorize(ctx, _P + "list", project_id=project_id)
    query = request.query_params
    since, before = query.get("changes-since"), query.get("changes-before")
    if (
        version >= "2.66"
        and since
        and before
        and parse_time("changes-before", before) < parse_time("changes-since", since)
    ):
        raise errors.BadRequestError(
            "The value of changes-since must be less than or equal to changes-before."
        )
    records = [r for r in views.records(server) if _changed_within(r, request, version)]
    body: dict[str, object] = {}
    if version >= "2.58":
        page = pagination.page_request(query, settings.max_limit)
        if page.marker is not None:
            index = next((i for i, r in enumerate(records) if r.request_id == page.marker), None)
            if index is None:
                raise errors.BadRequestError(f"Marker {page.marker} could not be found.")
            records = records[index + 1 :]
        records = records[: page.limit]
        if records and len(records) == page.limit:
            params = [(k, v) for k, v in query.multi_items() if k not in ("limit", "marker")]
            params += [("limit", str(page.limit)), ("marker", records[-1].request_id)]
            href = urls.compute("servers", server.server_id, "os-instance-actions") + "?" + urlencode(params)
            body["links"] = [{"rel": "next", "href": href}]
    items = [views.item(r, server, project_id, version) for r in records]
    return JSONResponse({"instanceActions": items, **body})


@router.get("/{request_id}")
async def show_action(
    *, server_id: str, request_id: str, ctx: Context, version: Version, store: StoreDep, identity: IdentityDep
) -> JSONResponse:
    server = visible_server(store, ctx, server_id)
    project_id = project_of(identity, server.metadata.namespace)
    policy.authorize(ctx, _P + "show", project_id=project_id)
    record = next((r for r in views.records(server) if r.request_id == request_id), None)
    if record is None:
        raise errors.NotFoundError(f"Action {request_id} not found")
    events: views.EventOptions | None = None
    if policy.allowed(ctx, _P + "events", project_id=project_id):
        events = views.EventOptions(
            traceback=True, host=version >= "2.62", host_id=version >= "2.62", details=version >= "2.84"
        )
    elif version >= "2.51":
        details = version >= "2.84" and policy.allowed(ctx, _P + "events:details", project_id=project_id)
        events = views.EventOptions(traceback=False, host=False, host_id=version >= "2.62", details=details)
    return JSONResponse({"instanceAction": views.detail(record, server, project_id, version, events)})
