"""``/os-server-groups``: list (``all_projects`` for admins, ``limit``/``offset``), show, create,
delete. Nova has no update."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from kubenova.resources import ServerGroup
from kubenova_api.compute import server_groups as groups
from kubenova_api.compute.access import project_of
from kubenova_api.deps import Context, IdentityDep, JsonBody, SettingsDep, StoreDep, Version, strict_query
from kubenova_api.identity.service import IdentityService
from kubenova_api.microversions import APIVersion
from kubenova_api.params import parse_int
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.server_groups import create_model, policy_and_rules
from kubenova_api.schemas.validation import parse_body
from kubenova_api.store import Store
from kubenova_api.views import server_groups as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/os-server-groups")


def _view(
    store: Store, identity: IdentityService, group: ServerGroup, version: APIVersion
) -> dict[str, object]:
    project_id = project_of(identity, group.metadata.namespace)
    return views.server_group(group, groups.members(store, group), project_id, version)


@router.get("", dependencies=[Depends(strict_query("all_projects", "limit", "offset"))])
async def list_server_groups(
    *,
    request: Request,
    ctx: Context,
    version: Version,
    store: StoreDep,
    settings: SettingsDep,
    identity: IdentityDep,
) -> JSONResponse:
    query = request.query_params
    limit = parse_int(query.get("limit"), name="limit")
    offset = parse_int(query.get("offset"), name="offset") or 0
    found = groups.listed(store, ctx, all_projects="all_projects" in query)
    size = min(limit, settings.max_limit) if limit is not None else settings.max_limit
    page = found[offset : offset + size]
    return JSONResponse({"server_groups": [_view(store, identity, g, version) for g in page]})


@router.get("/{group_id}")
async def show_server_group(
    *, group_id: str, ctx: Context, version: Version, store: StoreDep, identity: IdentityDep
) -> JSONResponse:
    group = groups.authorized(store, identity, ctx, group_id, "show")
    return JSONResponse({"server_group": _view(store, identity, group, version)})


@router.post("")
async def create_server_group(
    *,
    body: JsonBody,
    ctx: Context,
    version: Version,
    store: StoreDep,
    settings: SettingsDep,
    identity: IdentityDep,
) -> JSONResponse:
    request = parse_body(create_model(version), body).server_group
    policy_name, max_per_host, rules_given = policy_and_rules(request)
    group = await groups.create(
        store,
        ctx,
        settings,
        name=request.name,
        policy_name=policy_name,
        max_server_per_host=max_per_host,
        rules_given=rules_given,
    )
    return JSONResponse({"server_group": _view(store, identity, group, version)})


@router.delete("/{group_id}")
async def delete_server_group(
    *, group_id: str, ctx: Context, store: StoreDep, identity: IdentityDep
) -> Response:
    await groups.delete(store, identity, ctx, group_id)
    return Response(status_code=204)
