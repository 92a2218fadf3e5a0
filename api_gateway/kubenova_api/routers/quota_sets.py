"""``/os-quota-sets/{project_id}``: a project's quota limits (its members and admins read them,
admins set and reset them), with usage in ``/detail`` and the defaults in ``/defaults``.

Limits are stored by ``store.quotas`` (the ``kubenova-quotas`` ConfigMap; the gateway keeps no
state); usage is counted from the project's Servers. The project id must be a Keystone project
of the directory (400 otherwise, as Nova's Keystone check answers). ``?user_id=`` reads answer
with the project's limits, which is what Nova shows for a user without limits of their own;
per-user limits cannot be set (501). An update below what is in use is refused unless
``force`` is given, as in Nova. Delete answers 202 and brings back the defaults.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from kubenova_api import errors, policy
from kubenova_api.compute import quotas
from kubenova_api.context import RequestContext
from kubenova_api.deps import Context, IdentityDep, JsonBody, SettingsDep, StoreDep, Version, strict_query
from kubenova_api.identity.directory import Project
from kubenova_api.identity.service import IdentityService
from kubenova_api.routers import COMPUTE_PREFIX
from kubenova_api.schemas.quota_sets import parse_update
from kubenova_api.store import Store
from kubenova_api.views import quota_sets as views

router = APIRouter(prefix=f"{COMPUTE_PREFIX}/os-quota-sets")
_P = "os_compute_api:os-quota-sets:"
# Resources whose usage is counted, and so checked on a non-forced update.
_COUNTED = ("instances", "cores", "ram", "server_groups")


def _project(identity: IdentityService, project_id: str) -> Project:
    project = identity.directory().project_by_id(project_id)
    if project is None:
        raise errors.BadRequestError(f"Project ID {project_id} is not a valid project.")
    return project


def _no_user_quotas(request: Request) -> None:
    if request.query_params.get("user_id"):
        raise errors.UnsupportedError("Per-user quotas are not supported; set the project's quotas.")


def in_use(store: Store, project: Project) -> dict[str, int]:
    return quotas.in_use(store, project.namespace)


def _authorize(ctx: RequestContext, action: str, project_id: str) -> None:
    policy.authorize(ctx, _P + action, project_id=project_id)


@router.get("/{project_id}", dependencies=[Depends(strict_query("user_id"))])
async def show_quotas(
    *,
    project_id: str,
    ctx: Context,
    version: Version,
    store: StoreDep,
    settings: SettingsDep,
    identity: IdentityDep,
) -> JSONResponse:
    _authorize(ctx, "show", project_id)
    _project(identity, project_id)
    return JSONResponse(
        views.quota_set(project_id, store.quotas.limits(project_id, settings.quotas), version)
    )


@router.get("/{project_id}/detail", dependencies=[Depends(strict_query("user_id"))])
async def show_quotas_detail(
    *,
    project_id: str,
    ctx: Context,
    version: Version,
    store: StoreDep,
    settings: SettingsDep,
    identity: IdentityDep,
) -> JSONResponse:
    _authorize(ctx, "detail", project_id)
    project = _project(identity, project_id)
    limits = store.quotas.limits(project_id, settings.quotas)
    return JSONResponse(views.detail(project_id, limits, in_use(store, project), version))


@router.get("/{project_id}/defaults")
async def show_defaults(
    *,
    project_id: str,
    ctx: Context,
    version: Version,
    store: StoreDep,
    settings: SettingsDep,
    identity: IdentityDep,
) -> JSONResponse:
    _authorize(ctx, "defaults", project_id)
    _project(identity, project_id)
    return JSONResponse(views.quota_set(project_id, store.quotas.defaults(settings.quotas), version))


@router.put("/{project_id}", dependencies=[Depends(strict_query("user_id"))])
async def update_quotas(
    *,
    project_id: str,
    request: Request,
    body: JsonBody,
    ctx: Context,
    version: Version,
    store: StoreDep,
    settings: SettingsDep,
    identity: IdentityDep,
) -> JSONResponse:
    _authorize(ctx, "update", project_id)
    update = parse_update(body, version)
    _no_user_quotas(request)
    project = _project(identity, project_id)
    limits = update.limits()
    if not update.force:
        used = in_use(store, project)
        for resource, limit in limits.items():
            minimum = used.get(resource, 0) if resource in _COUNTED else 0
            if limit != -1 and limit < minimum:
                raise errors.BadRequestError(
                    f"Quota limit {limit} for {resource} must be greater than or equal to already "
                    f"used and reserved {minimum}."
                )
    await store.quotas.update(project_id, limits)
    current = {**store.quotas.limits(project_id, settings.quotas), **limits}
    return JSONResponse(views.quota_set(None, current, version))


@router.delete("/{project_id}", dependencies=[Depends(strict_query("user_id"))])
async def delete_quotas(
    *, project_id: str, request: Request, ctx: Context, store: StoreDep, identity: IdentityDep
) -> Response:
    _authorize(ctx, "delete", project_id)
    _no_user_quotas(request)
    _project(identity, project_id)
    await store.quotas.reset(project_id)
    return Response(status_code=202)
