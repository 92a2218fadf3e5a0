"""``GET /limits``: the caller's project limits (its quota set) and what the project uses.

``?tenant_id=`` asks for another project's (admin, ``limits:other_project``); ``?reserved=`` is
accepted and ignored (nothing is ever reserved). OSC sends no microversion: 2.1's shape.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from kubenova_api import policy
from kubenova_api.compute import quotas
from kubenova_api.deps import Context, IdentityDep, SettingsDep, StoreDep, Version, strict_query
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.views import limits as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/limits")


@router.get("", dependencies=[Depends(strict_query("tenant_id"))])
async def show_limits(
    *,
    request: Request,
    ctx: Context,
    version: Version,
    store: StoreDep,
    settings: SettingsDep,
    identity: IdentityDep,
) -> JSONResponse:
    policy.authorize(ctx, "os_compute_api:limits")
    project_id = ctx.project_id
    requested = request.query_params.get("tenant_id")
    if requested and requested != project_id:
        policy.authorize(ctx, "os_compute_api:limits:other_project", project_id=requested)
        project_id = requested
    namespace = identity.directory().namespace_for(project_id) if project_id else None
    limits = store.quotas.limits(project_id or "", settings.quotas)
    return JSONResponse(views.limits(limits, quotas.in_use(store, namespace), version))
